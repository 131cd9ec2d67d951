import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  LicenseBackupError,
  capitalized,
  message,
  option
} from "./chunk-LIRZADVX.js";

// src/engine/licenses/validity.ts
var LEASE_SKEW_MS = 5 * 6e4;
function ownExpiry(license) {
  const lease = license.claims.lease;
  const exp = lease === void 0 ? license.claims.exp : lease.license_exp;
  return exp === void 0 ? void 0 : exp * 1e3;
}
function isExpired(license, now = Date.now()) {
  const end = ownExpiry(license);
  return end !== void 0 && end <= now;
}
function leaseEnd(license) {
  if (license.claims.lease === void 0) return void 0;
  const exp = license.claims.exp;
  return exp === void 0 ? void 0 : exp * 1e3;
}
function leaseRunsOut(license, now = Date.now()) {
  const end = leaseEnd(license);
  return end !== void 0 && end <= now + LEASE_SKEW_MS;
}

// src/engine/slots/lease.ts
var MIN_LEASE_SECONDS = 60;
function checkLease(seconds) {
  if (seconds === void 0) return;
  if (Number.isSafeInteger(seconds) && seconds >= MIN_LEASE_SECONDS) return;
  throw new LicenseBackupError(
    "CONFIG_INVALID",
    message`${capitalized(option("lease"))} is ${String(seconds)}: a lease is a whole number of seconds, at least ${MIN_LEASE_SECONDS} (a minute); give a longer one, or none for the service's own.`
  );
}
var LeaseTracker = class {
  earliest;
  /** Why the copy's lease disagrees with the answer's `lease_expires`, or undefined when it agrees. */
  problem(copy, announced) {
    if (announced === void 0) return void 0;
    const end = leaseEnd(copy);
    if (end === void 0)
      return `the answer gives it a lease (until ${announced}) but the copy has no lease claim`;
    if (Math.abs(Date.parse(announced) - end) >= 1e3)
      return `its exp (${new Date(end).toISOString()}) is not the lease_expires of the answer (${announced})`;
    return void 0;
  }
  /** Counts a copy the run writes. */
  add(copy) {
    const end = leaseEnd(copy);
    if (end !== void 0 && (this.earliest === void 0 || end < this.earliest)) this.earliest = end;
  }
  /** `{ leaseExpires }` for a result, or nothing when no copy was a lease. */
  result() {
    return this.earliest === void 0 ? {} : { leaseExpires: new Date(this.earliest).toISOString() };
  }
};

export {
  isExpired,
  leaseRunsOut,
  MIN_LEASE_SECONDS,
  checkLease,
  LeaseTracker
};
