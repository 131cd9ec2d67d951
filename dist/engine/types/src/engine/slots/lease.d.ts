import type { License } from '../licenses/license.js';
/** The shortest lease a request may ask for (protocol v1.2: `lease_seconds` ≥ 60). */
export declare const MIN_LEASE_SECONDS = 60;
/** Checks the `lease` option before anything is read or sent: a whole number of seconds, at least 60. */
export declare function checkLease(seconds: number | undefined): void;
/**
 * The earliest lease end among the copies a run wrote, and the check that a copy's lease is the one the
 * service's answer announced (`lease_expires`, to the second: the copy's `exp` is in seconds).
 */
export declare class LeaseTracker {
    private earliest;
    /** Why the copy's lease disagrees with the answer's `lease_expires`, or undefined when it agrees. */
    problem(copy: License, announced: string | undefined): string | undefined;
    /** Counts a copy the run writes. */
    add(copy: License): void;
    /** `{ leaseExpires }` for a result, or nothing when no copy was a lease. */
    result(): {
        leaseExpires?: string;
    };
}
