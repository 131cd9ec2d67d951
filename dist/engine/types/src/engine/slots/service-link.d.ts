import type { ServiceOptions } from '../api.js';
import type { EventListener } from '../events.js';
import { ServiceClient, type BatchLicense, type MachineKey, type PreviewOutcome, type ReleaseStatus, type ServiceSession } from '../service/index.js';
export interface ServiceLinkOptions {
    service: ServiceOptions;
    machine: MachineKey;
    individualize: boolean;
    /** The lease each re-issue asks for, in seconds (protocol v1.2); default the service's policy. */
    leaseSeconds?: number | undefined;
    emit: EventListener;
    signal: AbortSignal | undefined;
}
/**
 * One run's link to the license service (protocol v1.1): a session opened on first use (CONNECTING) and
 * closed once (DISCONNECTING), and what the run did to the machine's slots. A v1 service, which has no
 * preview or release, is told once with a warning.
 */
export declare class ServiceLink {
    private readonly options;
    /** Licenses this run re-issued that the machine did not hold before: the slots the run took. */
    readonly taken: string[];
    private client;
    private session;
    private v1;
    constructor(options: ServiceLinkOptions);
    get url(): string;
    /** The client and its session, opened on first use. */
    open(): Promise<{
        client: ServiceClient;
        session: ServiceSession;
    }>;
    /** What a restore of these licenses would do; undefined from a v1 service. */
    preview(licenses: BatchLicense[]): Promise<PreviewOutcome[] | undefined>;
    /** Gives licenses back; undefined from a v1 service. */
    release(jtis: string[]): Promise<Map<string, ReleaseStatus> | undefined>;
    /** Closes the session if one is open; a failure to close is not the run's. */
    close(): Promise<void>;
    /**
     * After a failed or cancelled restore, gives back the slots it took, so a restore that committed nothing
     * uses none. Runs outside the run's signal (a cancelled run still gives back), in a session of its own
     * with no events, bounded to 15 s. When it cannot, a warning names the licenses that still hold a slot.
     */
    giveBack(): Promise<void>;
    private speaksV1;
}
/** Up to ten IDs, then how many more. */
export declare function listed(ids: readonly string[]): string;
