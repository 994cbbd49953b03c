// Heavy dependencies that only some plugins need, loaded on first use instead of at start-up: an
// agent that tails files into `file` or `forward` should not pay for an HTTP client, the AWS SDK and a
// Lua VM it never calls (measured, Node 24 RSS after import: undici +32 MB, @smithy/signature-v4
// +25 MB, wasmoon +15 MB, @aws-sdk/credential-providers +12 MB; the idle agent was 96 MB).

type Undici = typeof import('undici')
type Wasmoon = typeof import('wasmoon')
type SignatureV4Mod = typeof import('@smithy/signature-v4')
type Sha256Mod = typeof import('@aws-crypto/sha256-js')
type CredentialProvidersMod = typeof import('@aws-sdk/credential-providers')

let undiciMod: Promise<Undici> | undefined
let wasmoonMod: Promise<Wasmoon> | undefined
let sigv4Mod: Promise<[SignatureV4Mod, Sha256Mod]> | undefined
let credsMod: Promise<CredentialProvidersMod> | undefined

export function loadUndici(): Promise<Undici> {
  undiciMod ??= import('undici')
  return undiciMod
}

export function loadWasmoon(): Promise<Wasmoon> {
  wasmoonMod ??= import('wasmoon')
  return wasmoonMod
}

export function loadSigV4(): Promise<[SignatureV4Mod, Sha256Mod]> {
  sigv4Mod ??= Promise.all([import('@smithy/signature-v4'), import('@aws-crypto/sha256-js')])
  return sigv4Mod
}

export function loadCredentialProviders(): Promise<CredentialProvidersMod> {
  credsMod ??= import('@aws-sdk/credential-providers')
  return credsMod
}
