// Option table of the `cloudwatch_logs` output: Fluent Bit 5.1's names and defaults (docs:
// pipeline/outputs/cloudwatch.md; fluent-bit/plugins/out_cloudwatch_logs config_map). EMF metrics
// (metric_namespace, metric_dimensions) and the record-accessor templates are accepted; `sluice check`
// warns that they have no effect.

import type { OptionTable } from '@sluice/core/options.ts'

export const cloudwatchOptions = {
  region: { type: 'str', required: true, description: 'The AWS region.' },
  log_group_name: { type: 'str', required: true, description: 'The CloudWatch log group that records are sent to.' },
  log_stream_name: {
    type: 'str',
    description: 'The log stream that records are sent to. Give this or Log_Stream_Prefix.',
  },
  log_stream_prefix: {
    type: 'str',
    description: 'Prefix of the log stream name; the tag is appended (`from-fluent-bit-kube.var.log...`).',
  },
  log_key: {
    type: 'str',
    description:
      'Send only the value of this key (a string as it is, anything else as JSON) instead of the whole record as JSON.',
  },
  log_format: {
    type: 'str',
    description: 'Sent as the x-amzn-logs-format header; `json/emf` lets CloudWatch extract embedded metrics.',
  },
  auto_create_group: {
    type: 'bool',
    default: 'false',
    description: 'Create the log group when it does not exist (needs logs:CreateLogGroup).',
  },
  log_retention_days: {
    type: 'int',
    default: '0',
    description:
      'Retention set on a log group this output creates (PutRetentionPolicy), in days; 0 keeps events forever.',
  },
  role_arn: { type: 'str', description: 'IAM role to assume (with the default credentials), e.g. for cross-account.' },
  external_id: { type: 'str', description: 'External ID for Role_ARN.' },
  sts_endpoint: { type: 'str', description: 'Custom STS endpoint used to assume Role_ARN.' },
  profile: { type: 'str', description: 'Profile of the shared AWS config/credentials files.' },
  endpoint: {
    type: 'str',
    description:
      'Custom CloudWatch Logs endpoint: a host name (HTTPS on 443), or a URL such as `http://127.0.0.1:4566` (LocalStack, tests).',
  },
  auto_retry_requests: {
    type: 'bool',
    default: 'true',
    description: 'Retry a failed request once at once before the engine’s retry schedule takes over.',
  },
  log_group_template: {
    type: 'str',
    description: 'Log group from a record accessor template.',
    ignored: 'not implemented (records go to Log_Group_Name and the stream options)',
  },
  log_stream_template: {
    type: 'str',
    description: 'Log stream from a record accessor template.',
    ignored: 'not implemented (records go to Log_Group_Name and the stream options)',
  },
  metric_namespace: { type: 'str', description: 'EMF metrics namespace.', ignored: 'EMF metrics are not implemented' },
  metric_dimensions: { type: 'str', description: 'EMF metric dimensions.', ignored: 'EMF metrics are not implemented' },
} as const satisfies OptionTable

export type CloudwatchOptionValues = import('@sluice/core/options.ts').OptionValues<typeof cloudwatchOptions>
