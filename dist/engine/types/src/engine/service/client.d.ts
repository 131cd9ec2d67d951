import type { ServiceOptions } from '../api.js';
import { type EventListener } from '../events.js';
import { type MachineKey } from './proof.js';
import type { WirePreview, WireRefusal, WireRelease } from '../../../packages/protocol/src/wire.js';
import { type RetryPolicy } from './retry.js';
/** Protocol v1: at most this many licenses per restore request. */
export declare const MAX_BATCH = 1000;
export declare const DEFAULT_TIMEOUT_MS = 30000;
export declare const DEFAULT_DEADLINE_MS: number;
export interface ServiceClientOptions extends ServiceOptions {
    /** Receives CONNECTING, DISCONNECTING and PROGRESS. */
    listener?: EventListener;
    /** Cancels the exchange: the call in flight is aborted and `CANCELLED` thrown. */
    signal?: AbortSignal;
    /** The environment variable the token came from, named in messages (never the token). */
    tokenEnv?: string;
    /** The lease every re-issue of this client asks for, in seconds (`lease_seconds`, protocol v1.2). */
    leaseSeconds?: number;
    retry?: Partial<RetryPolicy>;
    /** Injectable for tests: the wait between attempts, the jitter source and the clock. */
    sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
    random?: () => number;
    now?: () => number;
}
export interface ServiceSession {
    id: string;
    expiresAt: string;
    machineId: string;
}
/** A license to re-issue, with the claims its answer must keep. */
export interface BatchLicense {
    jti: string;
    key_id: string;
    rights: Record<string, unknown>;
    /** The compact JWS. */
    jws: string;
}
export interface ExpectedLicense {
    jti: string;
    key_id: string;
    rights: Record<string, unknown>;
    /** The `cnf.jkt` the re-issued license must carry. */
    machineId: string;
    /** The lease's end as the answer gives it (`lease_expires`, protocol v1.2); the copy's `exp` must agree. */
    leaseExpires?: string;
}
/**
 * Checks a re-issued license (signature, same jti, key_id and rights, `cnf.jkt` = this machine); throws
 * when it fails. Injected by the restore code, which owns license verification.
 */
export type CheckLicense = (jws: string, expected: ExpectedLicense) => Promise<void>;
/**
 * A license's result as the client reports it: the wire's result (@license-backup/protocol) with the key
 * ID asked for; a refusal's reason is the wire's, or `unspecified` from a service that gave none.
 */
interface Asked {
    jti: string;
    key_id: string;
}
export type RefusedOutcome = Asked & {
    status: WireRefusal['status'];
    reason: WireRefusal['reason'] | 'unspecified';
    url?: string;
};
export type RestoreOutcome = (Asked & {
    status: 'restored';
    license: string;
}) | RefusedOutcome;
/** What a renewal did with a copy (protocol v1.2): re-issued with a new lease, or refused. */
export type RenewOutcome = (Asked & {
    status: 'renewed';
    license: string;
}) | RefusedOutcome;
/** What a restore would do with a license (protocol v1.1 preview). */
export type PreviewOutcome = (Asked & {
    status: Exclude<WirePreview['status'], 'refused'>;
}) | RefusedOutcome;
export type ReleaseStatus = WireRelease['status'];
/**
 * The protocol v1 client (docs/protocol.md): one client per restore run. The deadline (`deadlineMs`) runs from the
 * client's creation and bounds every call and retry of the run.
 */
export declare class ServiceClient {
    readonly url: string;
    private readonly transport;
    private readonly emit;
    private readonly tokenEnv;
    /** `{ lease_seconds }` for a re-issuing request's body, or nothing. */
    private readonly lease;
    constructor(options: ServiceClientOptions);
    /**
     * POST /v1/sessions (CONNECTING): validates the token and opens a session for this machine, proving it
     * holds the machine key (protocol v1.1; a new proof for every attempt).
     */
    openSession(machine: MachineKey, individualize: boolean): Promise<ServiceSession>;
    /**
     * POST /v1/sessions/{id}/restore for one batch (≤ 1000 licenses), with one Idempotency-Key for all its
     * retries. Every result is checked; outcomes come back in the batch's order. `signal` aborts this call
     * only (the restore drops a batch in flight when an earlier one fails), with `CANCELLED`.
     */
    restoreBatch(session: ServiceSession, licenses: BatchLicense[], checkLicense: CheckLicense, idempotencyKey?: string, signal?: AbortSignal): Promise<RestoreOutcome[]>;
    /**
     * POST /v1/sessions/{id}/preview (v1.1), in batches of ≤ 1000: what a restore would do, using no slot.
     * Undefined when the service speaks v1 only (it has no preview).
     */
    preview(session: ServiceSession, licenses: BatchLicense[]): Promise<PreviewOutcome[] | undefined>;
    /**
     * POST /v1/sessions/{id}/release (v1.1), in batches of ≤ 1000: this machine gives the licenses back.
     * Undefined when the service speaks v1 only; a service whose policy refuses it throws UNAUTHORIZED.
     */
    release(session: ServiceSession, jtis: string[]): Promise<Map<string, ReleaseStatus> | undefined>;
    /**
     * POST /v1/sessions/{id}/renew (v1.2) for one batch (≤ 1000) of this machine's lease copies: each comes
     * back re-issued with a new lease, checked like a restore's, or refused. A renewal is idempotent, so it
     * is retried as it is. Undefined when the service has no renew (protocol v1 or v1.1).
     */
    renewBatch(session: ServiceSession, licenses: BatchLicense[], checkLicense: CheckLicense): Promise<RenewOutcome[] | undefined>;
    /** DELETE /v1/sessions/{id} (DISCONNECTING). A session already gone (404) counts as closed. */
    closeSession(session: ServiceSession): Promise<void>;
    /** An answer's results, one per asked ID in the asked order, or SERVICE_ERROR. */
    private results;
    private outcome;
    private json;
    private badAnswer;
    /** Maps a final non-success answer to an error (ADR 0020). */
    private failure;
}
export {};
