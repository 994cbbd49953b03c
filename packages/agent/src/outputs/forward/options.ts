// Option table of the `forward` output: Fluent Bit 5.1's names and defaults
// (docs: pipeline/outputs/forward.md), plus Sluice's ack timeout.

import type { OptionTable } from '@sluice/core/options.ts'

export const forwardOptions = {
  host: {
    type: 'str',
    default: '127.0.0.1',
    description: 'Host of the Fluentd, Fluent Bit or Sluice server receiving Forward messages.',
  },
  port: { type: 'int', default: '24224', description: 'TCP port of the receiver.' },
  unix_path: { type: 'str', description: 'Unix socket of the receiver; when set, Host and Port are not used.' },
  upstream: {
    type: 'str',
    description: 'Upstream servers file for load balancing.',
    ignored: 'a single Host/Port (or Unix_Path) is used; put a load balancer in front for several receivers',
  },
  tag: { type: 'str', description: 'Send every record under this tag instead of its own.' },
  time_as_integer: {
    type: 'bool',
    default: 'off',
    description: 'Send whole-second integer times in Forward mode (Fluentd v0.12 compatibility).',
  },
  send_options: { type: 'bool', default: 'off', description: 'Always send the options map (with `size`).' },
  require_ack_response: {
    type: 'bool',
    default: 'off',
    description:
      "Send a `chunk` id and wait for the receiver's `ack` before counting records delivered (at-least-once).",
  },
  ack_timeout: {
    type: 'time',
    default: '30s',
    description:
      'Sluice: how long to wait for an `ack` before retrying the batch (the receiver may then get it twice).',
  },
  compress: { type: 'str', values: ['gzip'], description: 'Send CompressedPackedForward (gzip) messages.' },
  shared_key: { type: 'str', description: "Shared key of the receiver's `<security>` handshake (HELO/PING/PONG)." },
  empty_shared_key: { type: 'bool', default: 'off', description: 'Do the handshake with an empty shared key.' },
  self_hostname: { type: 'str', default: 'localhost', description: 'Host name presented in the handshake.' },
  username: { type: 'str', description: 'User name for a receiver with `user_auth`.' },
  password: { type: 'str', default: '', description: 'Password of Username.' },
  fluentd_compat: {
    type: 'bool',
    default: 'off',
    description: 'Fluentd compatibility for metrics and traces.',
    ignored: 'only logs are forwarded',
  },
  retain_metadata_in_forward_mode: {
    type: 'bool',
    default: 'off',
    description: 'Keep log metadata in Forward mode.',
    ignored: 'records carry no separate metadata in Sluice',
  },
  tls: { type: 'bool', default: 'off', description: 'Use TLS (Secure Forward).' },
  'tls.verify': { type: 'bool', default: 'on', description: 'Verify the receiver certificate.' },
  'tls.debug': {
    type: 'int',
    default: '1',
    description: 'TLS debug level.',
    ignored: 'Node reports TLS errors itself',
  },
  'tls.ca_file': { type: 'str', description: 'CA certificates (PEM) to verify the receiver with.' },
  'tls.crt_file': { type: 'str', description: 'Client certificate (PEM).' },
  'tls.key_file': { type: 'str', description: 'Private key (PEM) of tls.crt_file.' },
  'tls.key_passwd': { type: 'str', description: 'Password of tls.key_file.' },
  'tls.vhost': { type: 'str', description: 'Server name for SNI and certificate verification, when not Host.' },
} as const satisfies OptionTable
