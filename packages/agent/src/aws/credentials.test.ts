// Credentials through the AWS SDK v3 chain, without any network to AWS: environment variables, a
// shared credentials file (AWS_Profile), IRSA's web-identity token file and role assumption answered by
// a local fake STS (the STS Query API's XML responses), and a signed bulk request to the fake Elasticsearch.

import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, beforeEach, test } from 'node:test'
import { esOutputs } from '../outputs/es/index.ts'
import { startFakeEs } from '../testing/fake-es.ts'
import { sampleEvents, startOutput } from '../testing/plugin-harness.ts'
import { credentialProvider, describeAwsCredentials } from './credentials.ts'

const AWS_VARS = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_ROLE_ARN',
  'AWS_WEB_IDENTITY_TOKEN_FILE',
  'AWS_ROLE_SESSION_NAME',
  'AWS_ENDPOINT_URL_STS',
  'AWS_SHARED_CREDENTIALS_FILE',
  'AWS_CONFIG_FILE',
  'AWS_REGION',
  'AWS_EC2_METADATA_DISABLED',
]

let tmp: string
let sts: Server
let stsUrl: string
const stsCalls: URLSearchParams[] = []

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'sluice-aws-'))
  sts = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      const p = new URLSearchParams(body)
      stsCalls.push(p)
      const action = p.get('Action')
      const creds = `<Credentials><AccessKeyId>ASIA${action === 'AssumeRoleWithWebIdentity' ? 'WEBID' : 'ROLE'}</AccessKeyId><SecretAccessKey>fake-secret</SecretAccessKey><SessionToken>fake-token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>`
      res.writeHead(200, { 'content-type': 'text/xml' })
      res.end(
        `<${action}Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><${action}Result>${creds}<AssumedRoleUser><Arn>arn:aws:sts::111122223333:assumed-role/fluent-bit/s</Arn><AssumedRoleId>AROAFAKE:s</AssumedRoleId></AssumedRoleUser></${action}Result><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></${action}Response>`,
      )
    })
  })
  await new Promise<void>((r) => sts.listen(0, '127.0.0.1', r))
  stsUrl = `http://127.0.0.1:${(sts.address() as AddressInfo).port}`
})
after(async () => {
  await new Promise((r) => sts.close(r))
  await rm(tmp, { recursive: true, force: true })
})
beforeEach(() => {
  for (const v of AWS_VARS) delete process.env[v]
  // never reach for instance metadata on a test machine
  process.env.AWS_EC2_METADATA_DISABLED = 'true'
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(tmp, 'none-credentials')
  process.env.AWS_CONFIG_FILE = join(tmp, 'none-config')
  stsCalls.length = 0
})

test('credentials from environment variables', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIAENV'
  process.env.AWS_SECRET_ACCESS_KEY = 'env-secret'
  const c = await credentialProvider({ region: 'us-east-1' })()
  assert.equal(c.accessKeyId, 'AKIAENV')
})

test('credentials from a shared credentials file profile (AWS_Profile)', async () => {
  const file = join(tmp, 'credentials')
  await writeFile(
    file,
    '[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = d\n\n[logs]\naws_access_key_id = AKIALOGS\naws_secret_access_key = l\n',
  )
  process.env.AWS_SHARED_CREDENTIALS_FILE = file
  const c = await credentialProvider({ region: 'us-east-1', profile: 'logs' })()
  assert.equal(c.accessKeyId, 'AKIALOGS')
})

test('IRSA: web identity token file + AWS_ROLE_ARN, exchanged at STS (seed 002)', async () => {
  const token = join(tmp, 'token')
  await writeFile(token, 'eyJhbGciOiJSUzI1NiJ9.fake.jwt')
  process.env.AWS_WEB_IDENTITY_TOKEN_FILE = token
  process.env.AWS_ROLE_ARN = 'arn:aws:iam::111122223333:role/fluent-bit'
  process.env.AWS_ENDPOINT_URL_STS = stsUrl
  const c = await credentialProvider({ region: 'ap-northeast-2' })()
  assert.equal(c.accessKeyId, 'ASIAWEBID')
  assert.equal(stsCalls[0]!.get('Action'), 'AssumeRoleWithWebIdentity')
  assert.equal(stsCalls[0]!.get('RoleArn'), 'arn:aws:iam::111122223333:role/fluent-bit')
  assert.equal(stsCalls[0]!.get('WebIdentityToken'), 'eyJhbGciOiJSUzI1NiJ9.fake.jwt')
  assert.match(describeAwsCredentials({}), /web identity role arn:aws:iam::111122223333:role\/fluent-bit/)
})

test('AWS_Role_ARN assumes the role with AWS_External_ID through AWS_STS_Endpoint', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIABASE'
  process.env.AWS_SECRET_ACCESS_KEY = 'b'
  const c = await credentialProvider({
    region: 'us-east-1',
    roleArn: 'arn:aws:iam::111122223333:role/writer',
    externalId: 'ext-42',
    stsEndpoint: stsUrl,
  })()
  assert.equal(c.accessKeyId, 'ASIAROLE')
  assert.equal(stsCalls[0]!.get('Action'), 'AssumeRole')
  assert.equal(stsCalls[0]!.get('ExternalId'), 'ext-42')
  assert.equal(
    describeAwsCredentials({ roleArn: 'arn:aws:iam::111122223333:role/writer' }, 'ASIAROLE'),
    'AWS credentials: assumed role arn:aws:iam::111122223333:role/writer, access key id ASIAROLE',
  )
})

test('es with AWS_Auth signs bulk requests with SigV4 (host without port, region, service es)', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIASIGN'
  process.env.AWS_SECRET_ACCESS_KEY = 's'
  const fake = await startFakeEs({ flavor: 'opensearch' })
  try {
    const es = esOutputs.find((p) => p.name === 'es')!
    const h = await startOutput(es, {
      host: '127.0.0.1',
      port: String(fake.port),
      aws_auth: 'on',
      aws_region: 'ap-northeast-2',
      suppress_type_name: 'on',
      index: 'eks-log',
    })
    assert.equal((await h.flush(sampleEvents(2), 'kube')).kind, 'ok')
    const hd = fake.requests[0]!.headers
    assert.match(
      String(hd.authorization),
      /^AWS4-HMAC-SHA256 Credential=AKIASIGN\/\d{8}\/ap-northeast-2\/es\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/,
    )
    assert.ok(hd['x-amz-date'])
    // the Host header is sent as signed: without the port
    assert.equal(hd.host, '127.0.0.1')
    assert.equal(fake.count('eks-log'), 2)
    await h.stop()
  } finally {
    await fake.close()
  }
})

test('es with AWS_Auth: a refused signature is an error naming the role and access key id, not the secret', async () => {
  process.env.AWS_ACCESS_KEY_ID = 'AKIABASE'
  process.env.AWS_SECRET_ACCESS_KEY = 'base-secret'
  const fake = await startFakeEs({ flavor: 'opensearch', auth: { users: { nobody: 'x' } } })
  try {
    const es = esOutputs.find((p) => p.name === 'opensearch')!
    const h = await startOutput(es, {
      host: '127.0.0.1',
      port: String(fake.port),
      aws_auth: 'on',
      aws_region: 'us-east-1',
      aws_role_arn: 'arn:aws:iam::111122223333:role/writer',
      aws_sts_endpoint: stsUrl,
      suppress_type_name: 'on',
    })
    const r = await h.flush(sampleEvents(1), 'kube')
    assert.equal(r.kind, 'error')
    const reason = r.kind === 'error' ? r.reason : ''
    assert.match(
      reason,
      /authentication failed with AWS credentials: assumed role arn:aws:iam::111122223333:role\/writer, access key id ASIAROLE/,
    )
    assert.doesNotMatch(reason, /secret/)
    await h.stop()
  } finally {
    await fake.close()
  }
})
