import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  createVerifier
} from "./chunk-44NIVDZ5.js";
import {
  parseLicense
} from "./chunk-AJ2FYSS3.js";
import {
  LicenseBackupError,
  message
} from "./chunk-DFELDVRP.js";

// src/engine/slots/returned-license.ts
import { isDeepStrictEqual } from "node:util";
function returnedLicenseCheck(check) {
  return async (jws, expected) => {
    const where = `the license ${expected.jti} returned by ${check.url}`;
    const license = parseLicense(jws, where);
    const problems = [];
    if (license.jti !== expected.jti) problems.push(`its license ID is ${license.jti}`);
    if (license.keyId !== expected.key_id)
      problems.push(`its key ID is ${license.keyId}, not ${expected.key_id}`);
    if (!isDeepStrictEqual(license.claims.rights, expected.rights))
      problems.push(
        `its rights differ from the ${check.operation === "restore" ? "backed-up license" : "copy sent"}`
      );
    if (license.claims.cnf?.jkt !== expected.machineId)
      problems.push("it is not bound to this machine (cnf.jkt)");
    const lease = check.leases.problem(license, expected.leaseExpires);
    if (lease) problems.push(lease);
    if (problems.length > 0) {
      throw new LicenseBackupError(
        "SERVICE_ERROR",
        message`The license service answered with a wrong license for ${expected.jti}: ${problems.join("; ")}. ${check.operation === "restore" ? "Nothing was restored" : "It was not written"}; report this to the service's operator.`,
        { url: check.url, licenseId: expected.jti, keyId: expected.key_id }
      );
    }
    await check.verifier.verify(license);
    check.leases.add(license);
  };
}
async function serviceVerifier(options, signal, operation) {
  const trust = options.trust && Object.keys(options.trust).length > 0 ? options.trust : { serviceUrl: options.service.url };
  return createVerifier(trust, { ...signal ? { signal } : {}, operation, pooled: true });
}

export {
  returnedLicenseCheck,
  serviceVerifier
};
