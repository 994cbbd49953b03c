// Option table of the `es` and `opensearch` outputs: Fluent Bit 5.1's names and defaults
// (docs: pipeline/outputs/elasticsearch.md, pipeline/outputs/opensearch.md; fluent-bit/plugins/out_es,
// out_opensearch config_map), plus Sluice's dead-letter and index-template options.
// Workers and Retry_Limit are engine-common output options (common-options.ts).

import type { OptionTable } from '@sluice/core/options.ts'

export const esOptions = {
  host: { type: 'str', default: '127.0.0.1', description: 'IP address or hostname of the target cluster.' },
  port: { type: 'int', default: '9200', description: 'TCP port of the target cluster.' },
  path: {
    type: 'str',
    description:
      'Path prefix of the bulk endpoint, for a cluster behind a reverse proxy on a sub-path (`/es` → `/es/_bulk`).',
  },
  index: {
    type: 'str',
    default: 'fluent-bit',
    description: 'Index name; strftime sequences (`logs-%Y.%m`) are expanded with the current UTC time.',
  },
  type: {
    type: 'str',
    default: '_doc',
    description: 'Mapping type sent as `_type` (Elasticsearch < 7). Ignored with Suppress_Type_Name.',
  },
  suppress_type_name: {
    type: 'bool',
    default: 'off',
    description: 'Do not send `_type`: required by Elasticsearch 8 and OpenSearch 2.',
  },
  target_index: {
    type: 'str',
    description:
      "Index from a record accessor template (`logs-$kubernetes['namespace_name']`); records missing a field use Index.",
  },
  logstash_format: {
    type: 'bool',
    default: 'off',
    description: 'Write to a daily index `<Logstash_Prefix><separator><date>` built from each record time.',
  },
  logstash_prefix: { type: 'str', default: 'logstash', description: 'Index prefix with Logstash_Format.' },
  logstash_prefix_key: {
    type: 'str',
    description:
      "Record accessor (`$kubernetes['namespace_name']`) whose value replaces Logstash_Prefix; falls back to it.",
  },
  logstash_prefix_separator: {
    type: 'str',
    default: '-',
    description: 'Separator between the Logstash prefix and the date.',
  },
  logstash_dateformat: {
    type: 'str',
    default: '%Y.%m.%d',
    description: 'strftime format (UTC) of the date part of Logstash index names.',
  },
  time_key: { type: 'str', default: '@timestamp', description: 'Field added to each document with the record time.' },
  time_key_format: {
    type: 'str',
    default: '%Y-%m-%dT%H:%M:%S',
    description: 'strftime format (UTC) of Time_Key; milliseconds (or nanoseconds) and `Z` are appended.',
  },
  time_key_nanos: {
    type: 'bool',
    default: 'off',
    description: 'Nanosecond instead of millisecond precision in Time_Key.',
  },
  include_tag_key: { type: 'bool', default: 'off', description: 'Add the tag to each document, under Tag_Key.' },
  tag_key: { type: 'str', default: 'flb-key', description: 'Field name of the tag with Include_Tag_Key.' },
  generate_id: {
    type: 'bool',
    default: 'off',
    description:
      'Give each document a deterministic `_id` (hash of tag, time and record) so that a retry cannot create a duplicate.',
  },
  id_key: {
    type: 'str',
    description: 'Record accessor whose value becomes `_id` (takes precedence over Generate_ID).',
  },
  write_operation: {
    type: 'str',
    default: 'create',
    values: ['create', 'index', 'update', 'upsert'],
    description: 'Bulk action. `update` and `upsert` need Id_Key or Generate_ID.',
  },
  replace_dots: { type: 'bool', default: 'off', description: 'Replace dots in field names with underscores.' },
  current_time_index: {
    type: 'bool',
    default: 'off',
    description: 'Build index names from the current time instead of the record time.',
  },
  pipeline: { type: 'str', description: 'Ingest pipeline, sent as `?pipeline=` on the bulk request.' },
  buffer_size: {
    type: 'str',
    default: '512k',
    description:
      'Fluent Bit reads at most this much of the bulk response (`False`: unlimited). Sluice always reads the whole response, which it needs to settle each record; this only caps how much of it Trace_Error prints.',
  },
  trace_output: { type: 'bool', default: 'off', description: 'Print every bulk request body to stdout (diagnostics).' },
  trace_error: {
    type: 'bool',
    default: 'off',
    description: 'Log the request and response of bulk requests that report errors (diagnostics).',
  },
  compress: { type: 'str', values: ['gzip'], description: 'Compress request bodies (`gzip`).' },
  http_user: { type: 'str', description: 'User name for HTTP basic authentication.' },
  http_passwd: { type: 'str', default: '', description: 'Password of HTTP_User.' },
  http_api_key: {
    type: 'str',
    description:
      'Base64 API key (`id:key` encoded) sent as `Authorization: ApiKey`; ignored when HTTP_User or Cloud_Auth is set.',
  },
  cloud_id: {
    type: 'str',
    description: 'Elastic Cloud deployment id (`name:base64`); sets Host and Port from it (port 443).',
  },
  cloud_auth: { type: 'str', description: 'Elastic Cloud credentials as `user:password`.' },
  tls: { type: 'bool', default: 'off', description: 'Use TLS (HTTPS).' },
  'tls.verify': { type: 'bool', default: 'on', description: 'Verify the server certificate.' },
  'tls.ca_file': { type: 'str', description: 'CA certificates (PEM) to verify the server with.' },
  'tls.crt_file': { type: 'str', description: 'Client certificate (PEM) for mutual TLS.' },
  'tls.key_file': { type: 'str', description: 'Private key (PEM) of tls.crt_file.' },
  'tls.key_passwd': { type: 'str', description: 'Password of tls.key_file.' },
  'tls.vhost': { type: 'str', description: 'Server name for SNI and certificate verification, when not Host.' },
  aws_auth: { type: 'bool', default: 'off', description: 'Sign requests with AWS SigV4 (Amazon OpenSearch Service).' },
  aws_region: { type: 'str', description: 'AWS region of the domain (required with AWS_Auth).' },
  aws_sts_endpoint: { type: 'str', description: 'Custom STS endpoint used to assume AWS_Role_ARN.' },
  aws_role_arn: { type: 'str', description: 'IAM role to assume (with the default credentials) before signing.' },
  aws_external_id: { type: 'str', description: 'External ID for AWS_Role_ARN.' },
  aws_service_name: {
    type: 'str',
    default: 'es',
    values: ['es', 'aoss'],
    description: 'SigV4 service name: `es` (OpenSearch Service) or `aoss` (OpenSearch Serverless).',
  },
  aws_profile: { type: 'str', description: 'Profile of the shared AWS config/credentials files.' },
  index_template: {
    type: 'str',
    default: 'off',
    description:
      'Install an index template before the first write so dotted label keys (`app` and `app.kubernetes.io/name`) never conflict: `on` (named `sluice-<index>`), `off`, or a template name.',
  },
  index_template_fields: {
    type: 'clist',
    default: 'kubernetes.labels,kubernetes.annotations',
    description:
      'Object fields whose keys are kept flat by Index_Template (subobjects: false, flattened or flat_object).',
  },
  index_template_patterns: {
    type: 'clist',
    description:
      'Index patterns of the template (default: `<Logstash_Prefix><separator>*`, or Index and `<Index>-*`); set it when Logstash_Prefix_Key or Target_Index choose other names (`*-2*`).',
  },
  'dlq.path': {
    type: 'str',
    description:
      'Directory of dead-lettered records (JSON lines). Default: `<storage.path>/rejected/<instance>`; without either, rejected records are only logged.',
  },
  'dlq.max_size': {
    type: 'size',
    default: '100M',
    description: 'Cap of the dead-letter directory; records beyond it are counted and logged, not written.',
  },
} as const satisfies OptionTable
