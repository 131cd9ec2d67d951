import { LicenseBackupError } from '../errors.js'
import type { License } from '../licenses/license.js'
import { leaseEnd } from '../licenses/validity.js'
import { capitalized, option } from '../options.js'
import { message } from '../message.js'

/** The shortest lease a request may ask for (protocol v1.2: `lease_seconds` ≥ 60). */
export const MIN_LEASE_SECONDS = 60

/** Checks the `lease` option before anything is read or sent: a whole number of seconds, at least 60. */
export function checkLease(seconds: number | undefined): void {
  if (seconds === undefined) return
  if (Number.isSafeInteger(seconds) && seconds >= MIN_LEASE_SECONDS) return
  throw new LicenseBackupError(
    'CONFIG_INVALID',
    message`${capitalized(option('lease'))} is ${String(seconds)}: a lease is a whole number of seconds, at least ${MIN_LEASE_SECONDS} (a minute); give a longer one, or none for the service's own.`
  )
}

/**
 * The earliest lease end among the copies a run wrote, and the check that a copy's lease is the one the
 * service's answer announced (`lease_expires`, to the second: the copy's `exp` is in seconds).
 */
export class LeaseTracker {
  private earliest: number | undefined

  /** Why the copy's lease disagrees with the answer's `lease_expires`, or undefined when it agrees. */
  problem(copy: License, announced: string | undefined): string | undefined {
    if (announced === undefined) return undefined
    const end = leaseEnd(copy)
    if (end === undefined)
      return `the answer gives it a lease (until ${announced}) but the copy has no lease claim`
    if (Math.abs(Date.parse(announced) - end) >= 1000)
      return `its exp (${new Date(end).toISOString()}) is not the lease_expires of the answer (${announced})`
    return undefined
  }

  /** Counts a copy the run writes. */
  add(copy: License): void {
    const end = leaseEnd(copy)
    if (end !== undefined && (this.earliest === undefined || end < this.earliest)) this.earliest = end
  }

  /** `{ leaseExpires }` for a result, or nothing when no copy was a lease. */
  result(): { leaseExpires?: string } {
    return this.earliest === undefined ? {} : { leaseExpires: new Date(this.earliest).toISOString() }
  }
}
