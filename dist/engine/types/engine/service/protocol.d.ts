/** Protocol v1 wire types (docs/openapi.yaml); answers are checked against its schemas by answers.ts. */
export interface MachineRef {
    /** RFC 7638 thumbprint of `jwk`. */
    id: string;
    /** Ed25519 public JWK. */
    jwk: {
        kty: string;
        crv: string;
        x?: string;
    };
}
export interface WireSession {
    id: string;
    expires_at: string;
}
export interface WireResult {
    jti: string;
    status: 'restored' | 'refused';
    license?: string;
    /** Protocol v1.2: when the re-issued copy's lease ends. */
    lease_expires?: string;
    reason?: string;
    url?: string;
}
/** Protocol v1.2: a renewal's result, in request order. */
export interface WireRenew {
    jti: string;
    status: 'renewed' | 'refused';
    license?: string;
    lease_expires?: string;
    reason?: string;
    url?: string;
}
export interface WirePreview {
    jti: string;
    status: 'would-restore' | 'held' | 'refused';
    reason?: string;
    url?: string;
}
export interface WireRelease {
    jti: string;
    status: 'released' | 'not-held';
}
