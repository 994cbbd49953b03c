// Fluent Bit's stock parsers, available by name without a parsers file. Re-expressed from Fluent Bit
// 5.1's conf/parsers.conf (the file its images load from /fluent-bit/etc/parsers.conf), plus `syslog`,
// which Fluent Bit's Kubernetes examples (and seed 000) define alongside them. A [PARSER] of the same
// name in the configuration replaces the stock one.
//
// Note: in that file `cri` and `docker` have `Time_Keep On`, so their time field stays in the record;
// configurations that define their own `cri`/`docker` without Time_Keep (seed 000) drop it.

type Entries = readonly (readonly [string, string])[]

const APACHE_TIME = '%d/%b/%Y:%H:%M:%S %z'

export const STOCK_PARSERS: readonly Entries[] = [
  [
    ['Name', 'apache'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)")?$`,
    ],
    ['Time_Key', 'time'],
    ['Time_Format', APACHE_TIME],
  ],
  [
    ['Name', 'apache2'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^(?<host>[^ ]*) [^ ]* (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^ ]*) +\S*)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>.*)")?$`,
    ],
    ['Time_Key', 'time'],
    ['Time_Format', APACHE_TIME],
  ],
  [
    ['Name', 'apache_error'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^\[[^ ]* (?<time>[^\]]*)\] \[(?<level>[^\]]*)\](?: \[pid (?<pid>[^\]]*)\])?( \[client (?<client>[^\]]*)\])? (?<message>.*)$`,
    ],
  ],
  [
    ['Name', 'nginx'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^(?<remote>[^ ]*) (?<host>[^ ]*) (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*)(?: "(?<referer>[^\"]*)" "(?<agent>[^\"]*)")`,
    ],
    ['Time_Key', 'time'],
    ['Time_Format', APACHE_TIME],
  ],
  [
    ['Name', 'k8s-nginx-ingress'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^(?<host>[^ ]*) - (?<user>[^ ]*) \[(?<time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)?" (?<code>[^ ]*) (?<size>[^ ]*) "(?<referer>[^\"]*)" "(?<agent>[^\"]*)" (?<request_length>[^ ]*) (?<request_time>[^ ]*) \[(?<proxy_upstream_name>[^ ]*)\] (\[(?<proxy_alternative_upstream_name>[^ ]*)\] )?(?<upstream_addr>[^ ]*) (?<upstream_response_length>[^ ]*) (?<upstream_response_time>[^ ]*) (?<upstream_status>[^ ]*) (?<reg_id>[^ ]*).*$`,
    ],
    ['Time_Key', 'time'],
    ['Time_Format', APACHE_TIME],
  ],
  [
    ['Name', 'json'],
    ['Format', 'json'],
    ['Time_Key', 'time'],
    ['Time_Format', APACHE_TIME],
  ],
  [
    ['Name', 'logfmt'],
    ['Format', 'logfmt'],
  ],
  [
    ['Name', 'docker'],
    ['Format', 'json'],
    ['Time_Key', 'time'],
    ['Time_Format', '%Y-%m-%dT%H:%M:%S.%L'],
    ['Time_Keep', 'On'],
  ],
  [
    ['Name', 'docker-daemon'],
    ['Format', 'regex'],
    ['Regex', 'time="(?<time>[^ ]*)" level=(?<level>[^ ]*) msg="(?<msg>[^ ].*)"'],
    ['Time_Key', 'time'],
    ['Time_Format', '%Y-%m-%dT%H:%M:%S.%L'],
    ['Time_Keep', 'On'],
  ],
  [
    ['Name', 'syslog-rfc5424'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^\<(?<pri>[0-9]{1,5})\>1 (?<time>[^ ]+) (?<host>[^ ]+) (?<ident>[^ ]+) (?<pid>[-0-9]+) (?<msgid>[^ ]+) (?<extradata>(\[(.*?)\]|-)) (?<message>.+)$`,
    ],
    ['Time_Key', 'time'],
    ['Time_Format', '%Y-%m-%dT%H:%M:%S.%L%z'],
    ['Time_Keep', 'On'],
  ],
  [
    ['Name', 'syslog-rfc3164-local'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^\<(?<pri>[0-9]+)\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<ident>[a-zA-Z0-9_\/\.\-]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$`,
    ],
    ['Time_Key', 'time'],
    ['Time_Format', '%b %d %H:%M:%S'],
    ['Time_Keep', 'On'],
  ],
  [
    ['Name', 'syslog-rfc3164'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`/^\<(?<pri>[0-9]+)\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<host>[^ ]*) (?<ident>[a-zA-Z0-9_\/\.\-]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$/`,
    ],
    ['Time_Key', 'time'],
    ['Time_Format', '%b %d %H:%M:%S'],
    ['Time_Keep', 'On'],
  ],
  [
    ['Name', 'syslog'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^\<(?<pri>[0-9]+)\>(?<time>[^ ]* {1,2}[^ ]* [^ ]*) (?<host>[^ ]*) (?<ident>[a-zA-Z0-9_\/\.\-]*)(?:\[(?<pid>[0-9]+)\])?(?:[^\:]*\:)? *(?<message>.*)$`,
    ],
    ['Time_Key', 'time'],
    ['Time_Format', '%b %d %H:%M:%S'],
  ],
  [
    ['Name', 'mongodb'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^(?<time>[^ ]*)\s+(?<severity>\w)\s+(?<component>[^ ]+)\s+\[(?<context>[^\]]+)]\s+(?<message>.*?) *(?<ms>(\d+))?(:?ms)?$`,
    ],
    ['Time_Format', '%Y-%m-%dT%H:%M:%S.%L'],
    ['Time_Keep', 'On'],
    ['Time_Key', 'time'],
  ],
  [
    ['Name', 'envoy'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^\[(?<start_time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)? (?<protocol>\S+)" (?<code>[^ ]*) (?<response_flags>[^ ]*) (?<bytes_received>[^ ]*) (?<bytes_sent>[^ ]*) (?<duration>[^ ]*) (?<x_envoy_upstream_service_time>[^ ]*) "(?<x_forwarded_for>[^ ]*)" "(?<user_agent>[^\"]*)" "(?<request_id>[^\"]*)" "(?<authority>[^ ]*)" "(?<upstream_host>[^ ]*)"`,
    ],
    ['Time_Format', '%Y-%m-%dT%H:%M:%S.%L%z'],
    ['Time_Keep', 'On'],
    ['Time_Key', 'start_time'],
  ],
  [
    ['Name', 'istio-envoy-proxy'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^\[(?<start_time>[^\]]*)\] "(?<method>\S+)(?: +(?<path>[^\"]*?)(?: +\S*)?)? (?<protocol>\S+)" (?<response_code>[^ ]*) (?<response_flags>[^ ]*) (?<response_code_details>[^ ]*) (?<connection_termination_details>[^ ]*) (?<upstream_transport_failure_reason>[^ ]*) (?<bytes_received>[^ ]*) (?<bytes_sent>[^ ]*) (?<duration>[^ ]*) (?<x_envoy_upstream_service_time>[^ ]*) "(?<x_forwarded_for>[^ ]*)" "(?<user_agent>[^\"]*)" "(?<x_request_id>[^\"]*)" (?<authority>[^ ]*)" "(?<upstream_host>[^ ]*)" (?<upstream_cluster>[^ ]*) (?<upstream_local_address>[^ ]*) (?<downstream_local_address>[^ ]*) (?<downstream_remote_address>[^ ]*) (?<requested_server_name>[^ ]*) (?<route_name>[^  ]*)`,
    ],
    ['Time_Format', '%Y-%m-%dT%H:%M:%S.%L%z'],
    ['Time_Keep', 'On'],
    ['Time_Key', 'start_time'],
  ],
  [
    ['Name', 'cri'],
    ['Format', 'regex'],
    ['Regex', '^(?<time>[^ ]+) (?<stream>stdout|stderr) (?<logtag>[^ ]*) (?<message>.*)$'],
    ['Time_Key', 'time'],
    ['Time_Format', '%Y-%m-%dT%H:%M:%S.%L%z'],
    ['Time_Keep', 'On'],
  ],
  [
    ['Name', 'kube-custom'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`(?<tag>[^.]+)?\.?(?<pod_name>[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*)_(?<namespace_name>[^_]+)_(?<container_name>.+)-(?<docker_id>[a-z0-9]{64})\.log$`,
    ],
  ],
  [
    ['Name', 'kmsg-netfilter-log'],
    ['Format', 'regex'],
    [
      'Regex',
      String.raw`^\<(?<pri>[0-9]{1,5})\>1 (?<time>[^ ]+) (?<host>[^ ]+) kernel - - - \[[0-9\.]*\] (?<logprefix>[^ ]*)\s?IN=(?<in>[^ ]*) OUT=(?<out>[^ ]*) MAC=(?<macsrc>[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}):(?<macdst>[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}):(?<ethtype>[0-9a-f]{2}:[0-9a-f]{2}) SRC=(?<saddr>[^ ]*) DST=(?<daddr>[^ ]*) LEN=(?<len>[^ ]*) TOS=(?<tos>[^ ]*) PREC=(?<prec>[^ ]*) TTL=(?<ttl>[^ ]*) ID=(?<id>[^ ]*) (D*F*)\s*PROTO=(?<proto>[^ ]*)\s?((SPT=)?(?<sport>[0-9]*))\s?((DPT=)?(?<dport>[0-9]*))\s?((LEN=)?(?<protolen>[0-9]*))\s?((WINDOW=)?(?<window>[0-9]*))\s?((RES=)?(?<res>0?x?[0-9]*))\s?(?<flag>[^ ]*)\s?((URGP=)?(?<urgp>[0-9]*))`,
    ],
    ['Time_Key', 'time'],
    ['Time_Format', '%Y-%m-%dT%H:%M:%S.%L%z'],
  ],
]
