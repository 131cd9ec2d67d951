import type { EventListener } from './events.js';
import type { RetryPolicy } from './service/retry.js';
import type { Manifest, ManifestRestricted } from './format/manifest.js';
import type { Compression, ManifestV2, Origin } from './format/manifest-v2.js';
/**
 * Where the keys that sign licenses come from (`trust`; a backup's own signature is BackupTrustOptions). At
 * most one is set; none means licenses are not verified (one warning).
 */
export interface LicenseTrustOptions {
    /** Path of a JWKS file. */
    jwksFile?: string;
    /** URL of a JWKS document. */
    jwksUrl?: string;
    /** Base URL of the license service: its `/.well-known/jwks.json` is used. */
    serviceUrl?: string;
}
export interface StoreOptions {
    /** The store directory. */
    store: string;
    /** Glob of license files, relative to the store. Default `**\/*.jwt`. */
    pattern?: string;
    trust?: LicenseTrustOptions;
    /** Catalog file (CSV or JSON) mapping key IDs to titles. */
    catalog?: string;
    /**
     * When a restore of this store was interrupted and its journal cannot be used (empty, cut short, of
     * another version or store): roll that restore back, keeping the journal aside, instead of failing
     * with STORE_INVALID (docs/errors.md). A readable journal is finished as always.
     */
    rollBackInterrupted?: boolean;
}
export interface BackupOptions extends StoreOptions {
    /** The backup folder (the classic API's `BackupPath`, docs/events.md). */
    path: string;
    /** Replace an existing backup at `path` atomically (WM_BACKUP_OVERWRITE). */
    overwrite?: boolean;
    /** age X25519 recipients (`age1…`); the pack is encrypted to them when given. */
    encryptTo?: string[];
    /**
     * The format to write: `license-backup/v2` (default; written as its latest minor version, v2.1, ADR
     * 0225), or v1 for restore machines that still run a release older than v2.1. Compression, the index
     * and signing are v2's.
     */
    format?: 'license-backup/v1' | 'license-backup/v2';
    /** v2: `gzip` (default) or `none`. */
    compression?: Compression;
    /**
     * v2: sign the manifest with this OpenSSH Ed25519 private key (its file's text); `source` names where
     * it came from in errors (never its value).
     */
    sign?: {
        key: string;
        source: string;
    };
    /** v2: where the backup is made (a CI run's coordinates); default `{ host }`. */
    origin?: Origin;
}
export interface BackupReport {
    path: string;
    manifest: Manifest | ManifestV2;
    backedUp: number;
    restricted: ManifestRestricted[];
    /** Names of the files of the backup folder, relative to `path` (for artifact upload). */
    files: string[];
    /** The pack's size in bytes, as stored. */
    packSize: number;
}
/** How a restore or verify decides whether to trust a backup's manifest (docs/format.md). */
export interface BackupTrustOptions {
    /** An OpenSSH allowed_signers file: a v2 backup must be signed by a key in it. */
    signers?: string;
    /** A backup whose `created` is older than this many milliseconds is refused. */
    maxAgeMs?: number;
}
export interface ServiceOptions {
    url: string;
    token: string;
    /** Per-attempt timeout, ms. */
    timeoutMs?: number;
    /**
     * How long the exchange may go without a successful answer, ms (default 10 minutes): it runs from the
     * first call and again from each answer that succeeds (ADR 0223), bounding every retry in between.
     */
    deadlineMs?: number;
    /** Attempts and backoff of retried calls (ADR 0020); the defaults suit production. */
    retry?: Partial<RetryPolicy>;
}
export interface RestoreOptions extends StoreOptions, BackupTrustOptions {
    /** The backup folder to restore from (the classic API's `RestorePath`, docs/events.md). */
    path: string;
    service: ServiceOptions;
    /** Consent to create this machine's key in the store if it has none (WM_RESTORE_INDIVIDUALIZE). */
    individualize?: boolean;
    /** The age identity (`AGE-SECRET-KEY-1…`) for an encrypted pack. */
    ageIdentity?: string;
    /**
     * What a license the service refuses does to the run (protocol v1.1): `fail` (default) fails it before
     * any slot is used; `skip` restores the rest and reports each refusal as a warning.
     */
    onRefused?: 'fail' | 'skip';
    /** Restore only the licenses named here: a license ID, a key ID or a path pattern each. */
    include?: string[];
    /**
     * This machine's key, from a secret (an Ed25519 private JWK or OpenSSH key): used instead of the store's
     * machine key and never written to disk, so re-provisioned runners are one machine (protocol v1.1).
     */
    machineKey?: string;
    /**
     * The lease to ask for, in seconds (at least 60; protocol v1.2): the service grants the shorter of it and
     * its policy. An ephemeral runner asks for its job's length. Default: the service's policy.
     */
    lease?: number;
}
export interface ReleaseOptions {
    store: string;
    /** Glob of license files, relative to the store. Default `**\/*.jwt`. */
    pattern?: string;
    service: ServiceOptions;
    /** Release only the licenses named here: a license ID, a key ID or a path pattern each. */
    include?: string[];
    /**
     * Release exactly the licenses with these license IDs (what a restore restored: release-on-exit),
     * compared as they are, never as patterns or key IDs; empty releases nothing. Not with `include`.
     */
    jtis?: readonly string[];
    /** This machine's key, from a secret; default the key the store keeps. */
    machineKey?: string;
    /** As in StoreOptions: roll back an interrupted restore whose journal cannot be used. */
    rollBackInterrupted?: boolean;
}
export interface ReleaseReport {
    /** The machine whose licenses were released; null when the store has no machine key (nothing to release). */
    machineId: string | null;
    /** Licenses the service freed a slot of. */
    released: number;
    /** Licenses the service no longer counted for this machine (a rerun, or freed by the operator). */
    notHeld: number;
}
/** A renewal of this machine's lease copies in the store (protocol v1.2). */
export interface RenewOptions extends StoreOptions {
    service: ServiceOptions;
    /** Renew only the copies named here: a license ID, a key ID or a path pattern each. */
    include?: string[];
    /** This machine's key, from a secret; default the key the store keeps. */
    machineKey?: string;
    /** The lease to ask for, in seconds (at least 60); default the service's policy. */
    lease?: number;
}
export interface RenewReport {
    /** The machine whose copies were renewed; null when the store has no machine key (nothing to renew). */
    machineId: string | null;
    /** Copies the service re-issued with a new lease, written into the store. */
    renewed: number;
    /**
     * Copies of licenses whose own validity has ended, not sent. Each was a LICENSE event (outcome
     * `expired`).
     */
    expired: number;
    /** The earliest new lease end (ISO 8601) among the renewed copies; absent when none was renewed. */
    leaseExpires?: string;
}
/** A verify: everything a restore checks before it calls the service; nothing is written. */
export interface VerifyOptions extends BackupTrustOptions {
    /** The backup folder. */
    path: string;
    trust?: LicenseTrustOptions;
    catalog?: string;
    /** The age identity (`AGE-SECRET-KEY-1…`) for an encrypted pack. */
    ageIdentity?: string;
}
export interface VerifyReport {
    format: string;
    /** Licenses whose bytes, name and signature were checked. */
    verified: number;
    restricted: number;
    /** Whether licenses' signatures were checked (a trust source was given). */
    signaturesChecked: boolean;
    /** The signer's principals from the allowed_signers file, when the manifest is signed and trusted. */
    signer?: string;
    /** "backup of acme/licenses, nightly.yml on main at 1a2b3c4, run 4242, 3 days old" (v2), else undefined. */
    origin?: string;
    packSize: number;
}
export interface RefusedLicense {
    jti: string;
    key_id: string;
    reason: string;
    url?: string;
    title?: string;
}
export interface RestoreReport {
    machineId: string;
    /**
     * Licenses written into the store by this run. Each was a LICENSE event (outcome `restored`): a host
     * that needs their IDs, as a release on exit does, takes them there, since a list here would grow with
     * the store (ADR 0150).
     */
    restored: number;
    /** Licenses the store already held for this machine, left as they were. */
    unchanged: number;
    /**
     * Expired licenses, not sent to the service. Each was a LICENSE event (outcome `expired`); a
     * count, as a list here would grow with the store (ADR 0152).
     */
    expired: number;
    /**
     * Refusals the run skipped because `onRefused` says `skip`, and why: "skipped" means only this (an
     * expired license is `expired`, a restricted one `restricted`).
     */
    skipped: RefusedLicense[];
    /**
     * The earliest lease end (ISO 8601) among the copies this run wrote that are leases (protocol v1.2):
     * when the machine must renew them. Absent when it wrote none.
     */
    leaseExpires?: string;
}
export interface RunControl {
    signal?: AbortSignal;
}
/** The engine, created with an event listener (the classic `WMCreateBackupRestorer(callback)`). */
export interface BackupRestorer {
    backup(options: BackupOptions, control?: RunControl): Promise<BackupReport>;
    restore(options: RestoreOptions, control?: RunControl): Promise<RestoreReport>;
    verify(options: VerifyOptions, control?: RunControl): Promise<VerifyReport>;
    /** Gives the store's licenses back to the service and removes them (protocol v1.1). */
    release(options: ReleaseOptions, control?: RunControl): Promise<ReleaseReport>;
    /** Re-issues this machine's lease copies with a new lease, written back into the store (protocol v1.2). */
    renew(options: RenewOptions, control?: RunControl): Promise<RenewReport>;
}
export type { EventListener };
