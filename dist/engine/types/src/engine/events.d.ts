import type { ErrorCode } from './errors.js';
import { type EngineMessage, type MessagePart } from './message.js';
/**
 * Status events, after the classic DRM backup/restore callback (docs/events.md).
 * Backup: BEGIN → RESTRICTED_LICENSE* → END. Restore: CONNECTING → DISCONNECTING → BEGIN → END, where
 * BEGIN..END is the commit of the staged licenses. Release (protocol v1.1): CONNECTING → DISCONNECTING →
 * BEGIN → END, where BEGIN..END is the removal of the released licenses from the store. Renew (protocol
 * v1.2): BEGIN → CONNECTING → DISCONNECTING → END, where BEGIN..END is the renewal and the writing back of
 * the renewed copies. PROGRESS, LICENSE (debug detail), WARNING and
 * ERROR_WITH_URL may come between. Events never carry license bytes, tokens or identities.
 */
export type Operation = 'backup' | 'restore' | 'verify' | 'release' | 'renew';
export type EngineEvent = {
    type: 'BEGIN';
    operation: Operation;
} | {
    type: 'END';
    operation: Operation;
} | {
    type: 'CONNECTING';
    url: string;
} | {
    type: 'DISCONNECTING';
    url: string;
} | {
    type: 'RESTRICTED_LICENSE';
    keyId: string;
    licenseId: string;
    path: string;
    title?: string;
} | {
    type: 'ERROR_WITH_URL';
    code: ErrorCode;
    message: string;
    url: string;
    licenseId: string;
    keyId: string;
} | {
    type: 'PROGRESS';
    operation: Operation;
    phase: string;
    done: number;
    total: number;
} | {
    type: 'LICENSE';
    operation: Operation;
    licenseId: string;
    keyId: string;
    path: string;
    outcome: 'backed-up' | 'restricted' | 'restored' | 'renewed' | 'unchanged' | 'refused' | 'expired';
    reason?: string;
}
/** `message` in the engine's words; `parts` its structure, for a host to phrase (ADR 0213). */
 | {
    type: 'WARNING';
    message: string;
    parts: readonly MessagePart[];
}
/** A restore or verify opened a backup: its format, where it came from (v2), who signed it. */
 | {
    type: 'BACKUP_OPENED';
    path: string;
    format: string;
    origin?: string;
    signer?: string;
};
export type EventListener = (event: EngineEvent) => void;
/** Calls the listener, keeping a throwing listener from breaking the operation it observes. */
export declare function emitter(listener: EventListener | undefined): EventListener;
/** The WARNING event of a message: its structure, and the engine's words for a host that prints those. */
export declare function warning(text: string | EngineMessage): Extract<EngineEvent, {
    type: 'WARNING';
}>;
