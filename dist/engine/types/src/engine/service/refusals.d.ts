import { LicenseBackupError, type ErrorCode } from '../errors.js';
import type { EngineEvent } from '../events.js';
import type { RefusedOutcome } from './client.js';
/** The error code a refusal reason stands for: `restore-limit` is RESTORE_LIMIT (NS_E_DRM_RESTORE_FRAUD). */
export declare function refusalCode(reason: string): ErrorCode;
/** The operation a refusal answers: a restore, or a renewal of this machine's lease copies (protocol v1.2). */
export type RefusedIn = 'restore' | 'renew';
/** What to tell the user about one refusal. `title` comes from the catalog when it knows the key. */
export declare function refusalMessage(refused: RefusedOutcome, title?: string, refusedIn?: RefusedIn): string;
/** An ERROR_WITH_URL event (WMT_ERROR_WITHURL) for a refusal that carries a URL. */
export declare function refusalEvent(refused: RefusedOutcome, title?: string, refusedIn?: RefusedIn): EngineEvent | undefined;
/**
 * The one error a restore with refusals fails with: RESTORE_LIMIT when any license is past the limit,
 * else the code of the first refusal. Lists up to five refusals and counts the rest. A renewal's (`renewed`:
 * how many copies it did renew and write) says so, since its refusals come after those.
 */
export declare function refusalError(refused: RefusedOutcome[], titleOf?: (keyId: string) => string | undefined, renewed?: number): LicenseBackupError;
