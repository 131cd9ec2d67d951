/** The user-facing sentences about restricted licenses (docs/format.md). The action layer prints them. */
export interface RestrictedEntry {
    key_id: string;
    jti?: string;
    title?: string;
}
/**
 * One restricted license: by title and key ID when the catalog knows it,
 * `"Blue Train" (key ID 6f1c…) cannot be backed up: its owner does not allow it`; else by key ID.
 */
export declare function restrictedLicenseMessage(entry: RestrictedEntry): string;
/** The generic summary: `3 licenses cannot be backed up: their owners do not allow it`. */
export declare function restrictedSummaryMessage(count: number): string;
