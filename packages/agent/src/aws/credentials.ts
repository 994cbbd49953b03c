// AWS credentials as Fluent Bit's AWS plugins find them (docs: administration/aws-credentials.md),
// through the AWS SDK v3 default chain: environment variables, the web-identity token file that EKS
// IAM Roles for Service Accounts mounts (AWS_WEB_IDENTITY_TOKEN_FILE + AWS_ROLE_ARN, seed 002), shared
// config/credentials files (AWS_Profile), ECS container credentials, EC2 instance metadata. With
// AWS_Role_ARN the chain's credentials assume that role through STS (AWS_External_ID,
// AWS_STS_Endpoint), as Fluent Bit's sts provider does.

import type { AwsCredentialIdentityProvider } from '@smithy/types'
import { loadCredentialProviders } from '../lazy-deps.ts'

export interface CredentialOptions {
  readonly region?: string
  readonly profile?: string
  readonly roleArn?: string
  readonly externalId?: string
  readonly stsEndpoint?: string
  /** Session name for the assumed role (Fluent Bit uses a random one). */
  readonly sessionName?: string
}

export function credentialProvider(o: CredentialOptions): AwsCredentialIdentityProvider {
  // The SDK loads on the first request for credentials (lazy-deps.ts); its provider is made once and
  // keeps its own caching and refresh.
  let made: Promise<AwsCredentialIdentityProvider> | undefined
  return (props) => {
    made ??= loadCredentialProviders().then((sdk) => makeProvider(sdk, o))
    return made.then((provider) => provider(props))
  }
}

function makeProvider(
  { fromNodeProviderChain, fromTemporaryCredentials }: typeof import('@aws-sdk/credential-providers'),
  o: CredentialOptions,
): AwsCredentialIdentityProvider {
  const base = fromNodeProviderChain({
    profile: o.profile,
    clientConfig: o.region ? { region: o.region } : undefined,
  })
  if (!o.roleArn) return base
  return fromTemporaryCredentials({
    masterCredentials: base,
    params: {
      RoleArn: o.roleArn,
      RoleSessionName: o.sessionName ?? `sluice-${process.pid}-${Date.now()}`,
      ExternalId: o.externalId,
    },
    clientConfig: { region: o.region, endpoint: o.stsEndpoint },
  })
}

/**
 * Names the credentials in use for error messages, never the secret: which role (from the options or
 * IRSA's AWS_ROLE_ARN), which profile, and the access key id once credentials have been resolved.
 */
export function describeAwsCredentials(o: CredentialOptions, accessKeyId?: string): string {
  const parts: string[] = []
  if (o.roleArn) parts.push(`assumed role ${o.roleArn}`)
  else if (process.env.AWS_ROLE_ARN && process.env.AWS_WEB_IDENTITY_TOKEN_FILE)
    parts.push(`web identity role ${process.env.AWS_ROLE_ARN} (IRSA token ${process.env.AWS_WEB_IDENTITY_TOKEN_FILE})`)
  if (o.profile) parts.push(`profile ${o.profile}`)
  if (accessKeyId) parts.push(`access key id ${accessKeyId}`)
  return parts.length ? `AWS credentials: ${parts.join(', ')}` : 'AWS credentials from the default provider chain'
}
