export { DEFAULT_DEADLINE_MS, DEFAULT_TIMEOUT_MS, MAX_BATCH, ServiceClient, type BatchLicense, type CheckLicense, type ExpectedLicense, type PreviewOutcome, type ReleaseStatus, type RefusedOutcome, type RenewOutcome, type RestoreOutcome, type ServiceClientOptions, type ServiceSession } from './client.js';
export type { MachineRef } from '../../../packages/protocol/src/wire.js';
export { sessionProof, type MachineKey } from './proof.js';
export { refusalCode, refusalError, refusalEvent, refusalMessage, type RefusedIn } from './refusals.js';
export { DEFAULT_RETRY, backoffDelay, isRetryableStatus, parseRetryAfter, type RetryPolicy } from './retry.js';
