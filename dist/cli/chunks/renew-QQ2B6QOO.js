#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  returnedLicenseCheck,
  serviceVerifier
} from "./chunk-4P23HIA4.js";
import {
  LeaseTracker,
  checkLease,
  isExpired
} from "./chunk-3DIHID6D.js";
import {
  loadCatalog
} from "./chunk-ZFBTQMQJ.js";
import "./chunk-TCR4G6GI.js";
import "./chunk-Z6MHIMP7.js";
import {
  checkStoreDir,
  scanLicenseFiles,
  walkLicenseFiles
} from "./chunk-MDRY2SV7.js";
import {
  ServiceLink,
  includeFilter
} from "./chunk-7AF4N3ZN.js";
import "./chunk-OI62GR3T.js";
import {
  MAX_BATCH,
  acquireStoreLock,
  commitStaged,
  dropStaging,
  machineKeyFor,
  openStaging,
  recoverRestore,
  refusalError,
  refusalEvent
} from "./chunk-A3JQTEON.js";
import "./chunk-SOJSM5O6.js";
import {
  crashPoint,
  parseLicense,
  readLicenseFileSync
} from "./chunk-OQ3BY7FT.js";
import {
  DEFAULT_PATTERN,
  LicenseBackupError,
  compileGlob,
  message,
  throwIfAborted,
  warning
} from "./chunk-BQKSSR5K.js";
import "./chunk-4BIDEYEZ.js";
import "./chunk-2ZTQXNXN.js";

// src/engine/renew/renew.ts
var YIELD_EVERY = 128;
async function renew(options, control, emit) {
  const signal = control.signal;
  throwIfAborted(signal, "renewal");
  checkLease(options.lease);
  const store = options.store;
  const pattern = options.pattern ?? DEFAULT_PATTERN;
  compileGlob(pattern);
  await checkStoreDir(store);
  const catalog = options.catalog ? await loadCatalog(options.catalog) : /* @__PURE__ */ new Map();
  const lock = await acquireStoreLock(store, "renew");
  try {
    await recoverRestore(store, (message2) => emit(warning(message2)), options.rollBackInterrupted === true);
    const machine = await machineKeyFor(store, options.machineKey);
    if (!machine) return { machineId: null, renewed: 0, expired: 0 };
    await scanLicenseFiles(store, pattern, signal);
    return { machineId: machine.id, ...await renewBound({ options, machine, catalog, emit, signal }) };
  } finally {
    await lock.release();
  }
}
async function renewBound(run) {
  const { options, machine, emit, signal } = run;
  const verifier = await serviceVerifier(options, signal, "renewal");
  const leases = new LeaseTracker();
  const check = returnedLicenseCheck({ url: options.service.url, verifier, leases, operation: "renew" });
  const link = new ServiceLink({
    service: options.service,
    machine,
    individualize: false,
    leaseSeconds: options.lease,
    emit,
    signal
  });
  const wanted = includeFilter(options.include);
  const counts = { renewed: 0, expired: 0 };
  const refused = [];
  let batch = [];
  let begun = false;
  const renewBatch = async () => {
    if (!begun) emit({ type: "BEGIN", operation: "renew" });
    begun = true;
    counts.renewed += await renewAndWrite(run, link, batch, check, refused);
    batch = [];
  };
  try {
    let seen = 0;
    for (const path of walkLicenseFiles(options.store, options.pattern ?? DEFAULT_PATTERN)) {
      if (++seen % YIELD_EVERY === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(signal, "renewal");
      }
      const copy = leaseCopyAt(options.store, path, machine.id, wanted);
      if (copy === void 0) continue;
      if (isExpired(copy)) {
        counts.expired++;
        emit({ ...licenseEvent(copy.jti, copy.keyId, path), outcome: "expired" });
        continue;
      }
      batch.push({ jti: copy.jti, key_id: copy.keyId, rights: copy.claims.rights, jws: copy.text, path });
      if (batch.length >= MAX_BATCH) await renewBatch();
    }
    if (batch.length > 0) await renewBatch();
  } finally {
    await link.close();
    await verifier.close();
  }
  if (begun) emit({ type: "END", operation: "renew" });
  if (refused.length > 0) failWith(run, refused, counts.renewed);
  return { ...counts, ...leases.result() };
}
async function renewAndWrite(run, link, batch, check, refused) {
  const { options, emit, signal } = run;
  const { client, session } = await link.open();
  const outcomes = await client.renewBatch(session, batch, check);
  if (!outcomes) throw cannotRenew(options, batch);
  throwIfAborted(signal, "renewal");
  const staging = await openStaging(options.store);
  try {
    for (const [index, outcome] of outcomes.entries()) {
      const path = batch[index].path;
      const detail = licenseEvent(outcome.jti, outcome.key_id, path);
      if (outcome.status === "refused") {
        refused.push(outcome);
        emit({ ...detail, outcome: "refused", reason: outcome.reason });
        continue;
      }
      staging.add({ path, data: Buffer.from(outcome.license) });
      emit({ ...detail, outcome: "renewed" });
    }
    crashPoint("renew:service-renewed");
    const leftOut = await commitStaged(options.store, staging, (message2) => emit(warning(message2)));
    return staging.count - leftOut;
  } finally {
    await dropStaging(options.store);
  }
}
function leaseCopyAt(store, path, machineId, wanted) {
  let license;
  try {
    license = parseLicense(readLicenseFileSync(store, path).toString("utf8"), path);
  } catch {
    return void 0;
  }
  if (license.claims.cnf?.jkt !== machineId || license.claims.lease === void 0) return void 0;
  return wanted({ jti: license.jti, keyId: license.keyId, path }) ? license : void 0;
}
function cannotRenew(options, batch) {
  return new LicenseBackupError(
    "SERVICE_ERROR",
    message`The license service at ${options.service.url} speaks a protocol older than v1.2 and cannot renew leases; nothing was renewed in ${options.store} (among the copies to renew: ${batch.slice(0, 3).map((l) => l.jti).join(", ")}). Check that ${options.service.url} is the service that issued them.`,
    { url: options.service.url }
  );
}
function failWith(run, refused, renewed) {
  for (const refusal of refused) {
    const event = refusalEvent(refusal, run.catalog.get(refusal.key_id), "renew");
    if (event) run.emit(event);
  }
  throw refusalError(refused, (keyId) => run.catalog.get(keyId), renewed);
}
function licenseEvent(licenseId, keyId, path) {
  return { type: "LICENSE", operation: "renew", licenseId, keyId, path };
}
export {
  renew
};
