// AWS Signature Version 4 for outgoing HTTP requests (AWS General Reference, "Signature Version 4
// signing process"), done by @smithy/signature-v4 with @aws-crypto/sha256-js. Verified against AWS's
// published test suite (sigv4.test.ts, testdata/sigv4-vectors.json).

import type { SignatureV4 } from '@smithy/signature-v4'
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types'
import { loadSigV4 } from '../lazy-deps.ts'

export interface SignableRequest {
  readonly method: string
  /** Host header value, without the port (Amazon OpenSearch Service signs the bare host name). */
  readonly host: string
  readonly path: string
  /** Query parameters; repeated keys as arrays. */
  readonly query?: Record<string, string | string[]>
  readonly headers: Record<string, string>
  readonly body?: string | Uint8Array
}

export interface SignerOptions {
  readonly region: string
  readonly service: string
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider
  /** Add `x-amz-content-sha256` (required by OpenSearch Serverless, harmless elsewhere). Default true. */
  readonly contentSha256?: boolean
}

export interface Signer {
  /** Returns the request headers with `authorization`, `x-amz-date` (and security token, content hash). */
  sign(req: SignableRequest, date?: Date): Promise<Record<string, string>>
}

export function createSigner(opts: SignerOptions): Signer {
  // the AWS signing code loads on the first request that needs it (lazy-deps.ts)
  let signer: SignatureV4 | undefined
  return {
    async sign(req, date) {
      if (signer === undefined) {
        const [{ SignatureV4 }, { Sha256 }] = await loadSigV4()
        signer = new SignatureV4({
          service: opts.service,
          region: opts.region,
          credentials: opts.credentials,
          sha256: Sha256,
          applyChecksum: opts.contentSha256 ?? true,
        })
      }
      const signed = await signer.sign(
        {
          method: req.method,
          protocol: 'https:',
          hostname: req.host,
          path: req.path,
          query: req.query ?? {},
          headers: { ...req.headers, host: req.host },
          body: req.body,
        },
        date ? { signingDate: date } : undefined,
      )
      return signed.headers as Record<string, string>
    },
  }
}
