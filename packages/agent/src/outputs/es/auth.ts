// Authentication of bulk requests, and how to name the credentials in an error without the secret.
// Precedence as Fluent Bit: HTTP_User/HTTP_Passwd, then Cloud_Auth, then HTTP_API_Key; AWS_Auth signs
// the request instead (SigV4).

export interface AuthOptions {
  http_user?: string
  http_passwd?: string
  http_api_key?: string
  cloud_auth?: string
}

export interface StaticAuth {
  /** Authorization header value, when any. */
  readonly header?: string
  /** "user 'elastic'", "API key id 'VuaCfGcBCdbkQm-e5aOx'": never the secret. */
  readonly describe: string
}

export function staticAuth(o: AuthOptions): StaticAuth {
  if (o.http_user) {
    return {
      header: `Basic ${Buffer.from(`${o.http_user}:${o.http_passwd ?? ''}`).toString('base64')}`,
      describe: `HTTP_User '${o.http_user}'`,
    }
  }
  if (o.cloud_auth) {
    const i = o.cloud_auth.indexOf(':')
    const user = i < 0 ? o.cloud_auth : o.cloud_auth.slice(0, i)
    return { header: `Basic ${Buffer.from(o.cloud_auth).toString('base64')}`, describe: `Cloud_Auth user '${user}'` }
  }
  if (o.http_api_key) {
    // An Elasticsearch API key credential is base64("id:api_key"); the id is not secret.
    const decoded = Buffer.from(o.http_api_key, 'base64').toString('utf8')
    const id = decoded.includes(':') ? decoded.slice(0, decoded.indexOf(':')) : '(not an id:key pair)'
    return { header: `ApiKey ${o.http_api_key}`, describe: `HTTP_API_Key with id '${id}'` }
  }
  return { describe: 'no credentials (set HTTP_User/HTTP_Passwd, HTTP_API_Key or Cloud_Auth)' }
}

/**
 * Elastic Cloud's Cloud_ID: `<deployment name>:<base64 of "<domain>[:port]$<es uuid>$<kibana uuid>">`;
 * the Elasticsearch endpoint is `<es uuid>.<domain>`, port 443 unless the domain names one.
 */
export function parseCloudId(cloudId: string): { host: string; port: number } {
  const colon = cloudId.indexOf(':')
  const b64 = colon < 0 ? cloudId : cloudId.slice(colon + 1)
  const decoded = Buffer.from(b64, 'base64').toString('utf8')
  const [domainPart = '', esId = ''] = decoded.split('$')
  if (!domainPart || !esId)
    throw new Error(`cannot decode Cloud_ID '${cloudId}': expected '<name>:<base64 of domain$es_id$kibana_id>'`)
  const [domain, port] = domainPart.split(':')
  return { host: `${esId}.${domain}`, port: port ? Number(port) : 443 }
}
