// The EKS Fargate log router (docs.aws.amazon.com/eks/latest/userguide/fargate-logging.html). Fargate
// runs AWS for Fluent Bit itself; users only provide a ConfigMap named `aws-logging` in the
// `aws-observability` namespace with `filters.conf`, `output.conf`, optionally `parsers.conf` and
// the `flb_log_cw` flag (ship Fluent Bit's own logs to CloudWatch). The [SERVICE] and [INPUT] parts
// are fixed by AWS and not shown; seed 001 documents the input the router uses, reproduced here so
// that Sluice runs such a ConfigMap as Fargate would.

/** The fixed input of the Fargate log router (seed 001, "input.conf"). */
export const FARGATE_INPUT_NAME = 'fargate:input.conf'
export const FARGATE_INPUT = `[INPUT]
    Name tail
    Buffer_Max_Size 66KB
    DB /var/log/flb_kube.db
    Mem_Buf_Limit 45MB
    Path /var/log/containers/*.log
    Read_From_Head On
    Refresh_Interval 10
    Rotate_Wait 30
    Skip_Long_Lines On
    Tag kube.*
`

/** The data keys Fargate reads; anything else in the ConfigMap is ignored by the router. */
export const FARGATE_KEYS = ['filters.conf', 'output.conf', 'parsers.conf', 'flb_log_cw'] as const

/** AWS rejects an `aws-logging` ConfigMap above this many characters of data. */
export const FARGATE_MAX_CHARS = 5300

/** A ConfigMap meant for the Fargate log router: named aws-logging, or carrying output.conf alone. */
export function isFargateConfigMap(name: string, data: ReadonlyMap<string, string>): boolean {
  return name === 'aws-logging' || (data.has('output.conf') && !data.has('fluent-bit.conf'))
}
