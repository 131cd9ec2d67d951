/**
 * The protocol's wire types (docs/openapi.yaml), one definition for both sides (ADR 0201): the engine's
 * client reads answers of these shapes (and checks them against the document's schemas), the reference
 * service writes them.
 */
/** Why the service refuses a license (`RefusalReason`). */
export type RefusalReason = 'restore-limit' | 'revoked' | 'expired' | 'invalid-signature' | 'invalid-license' | 'not-yours' | 'released';
/** The refusal part of a restore's, renewal's or preview's result; `url` is a page to show the user. */
export interface WireRefusal {
    jti: string;
    status: 'refused';
    reason: RefusalReason;
    url?: string;
}
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
    reason?: RefusalReason;
    url?: string;
}
/** Protocol v1.2: a renewal's result, in request order. */
export interface WireRenew {
    jti: string;
    status: 'renewed' | 'refused';
    license?: string;
    lease_expires?: string;
    reason?: RefusalReason;
    url?: string;
}
export interface WirePreview {
    jti: string;
    status: 'would-restore' | 'held' | 'refused';
    reason?: RefusalReason;
    url?: string;
}
export interface WireRelease {
    jti: string;
    status: 'released' | 'not-held';
    /** Protocol v1.2, with `released`: when the slot comes back. */
    slot_free_at?: string;
}
