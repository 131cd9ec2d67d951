/** Protocol v1 wire types (docs/openapi.yaml); answers are checked against its schemas by answers.ts. */

export interface MachineRef {
  /** RFC 7638 thumbprint of `jwk`. */
  id: string
  /** Ed25519 public JWK. */
  jwk: { kty: string; crv: string; x?: string }
}

export interface WireSession {
  id: string
  expires_at: string
}

export interface WireResult {
  jti: string
  status: 'restored' | 'refused'
  license?: string
  reason?: string
  url?: string
}

export interface WirePreview {
  jti: string
  status: 'would-restore' | 'held' | 'refused'
  reason?: string
  url?: string
}

export interface WireRelease {
  jti: string
  status: 'released' | 'not-held'
}
