// The TLS server name (SNI) an output sends: `tls.vhost` when set, else the host. An IP address is
// never sent: SNI carries host names only (RFC 6066 §3), and Node 26 refuses an IP `servername`
// outright. Without one, Node checks the certificate against the connected address (its IP SANs).

import { isIP } from 'node:net'

export function tlsServerName(vhost: string | undefined, host: string): string | undefined {
  const name = vhost ?? host
  return isIP(name) === 0 && name !== '' ? name : undefined
}
