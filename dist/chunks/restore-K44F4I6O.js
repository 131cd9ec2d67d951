import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  returnedLicenseCheck,
  serviceVerifier
} from "./chunk-NMN23MZC.js";
import {
  LeaseTracker,
  checkLease,
  isExpired,
  leaseRunsOut
} from "./chunk-QECHKEH7.js";
import {
  announceBackup,
  openBackup,
  verifyBackup
} from "./chunk-LS5EWQKU.js";
import "./chunk-E4FUTUJW.js";
import "./chunk-V7DY6ARK.js";
import {
  loadCatalog
} from "./chunk-MD5I3SMZ.js";
import "./chunk-GYL6EDMH.js";
import "./chunk-4CBSMRKD.js";
import "./chunk-TZAP2QRQ.js";
import {
  ServiceLink,
  includeFilter
} from "./chunk-2KB4JXXL.js";
import "./chunk-Z6LEVCEF.js";
import {
  MAX_BATCH,
  TakenSlots,
  acquireStoreLock,
  commitStaged,
  dropStaging,
  ensureStoredMachineKey,
  isCommitted,
  machineKeyFor,
  openSpool,
  openStaging,
  recoverRestore,
  refusalError,
  refusalEvent,
  refusalMessage,
  restoreDirs
} from "./chunk-4XABLEGY.js";
import "./chunk-XDYNRSUZ.js";
import {
  nameKey,
  parseLicense,
  readLicenseFileSync
} from "./chunk-PAGSOZD3.js";
import {
  LicenseBackupError,
  asEngineError,
  message,
  option,
  throwIfAborted,
  warning
} from "./chunk-LIRZADVX.js";
import "./chunk-LTTOI6W3.js";
import "./chunk-HANBNIMK.js";

// src/engine/restore/restore.ts
import { randomUUID } from "node:crypto";
import { lstatSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join as join2 } from "node:path";

// src/engine/restore/targets.ts
import { readdirSync } from "node:fs";
import { join } from "node:path";
function targetCheck(store) {
  const listings = /* @__PURE__ */ new Map();
  const list = (folder) => {
    let listing = listings.get(folder);
    if (listing === void 0) {
      listing = readListing(join(store, folder));
      listings.set(folder, listing);
    }
    return listing;
  };
  return (license) => holdsSameLicense(store, license, list);
}
function holdsSameLicense(store, license, list) {
  const segments = license.path.split("/");
  let folder = "";
  for (const [index, segment] of segments.entries()) {
    const listing = list(folder);
    const name = listing.byName.has(segment) ? segment : listing.byKey.get(nameKey(segment));
    if (name === void 0) return false;
    const here = folder === "" ? name : `${folder}/${name}`;
    const kind = listing.byName.get(name);
    const last = index === segments.length - 1;
    if (name !== segment) {
      throw clash(store, license, here, "the same name on file systems that ignore case or Unicode form");
    }
    if (!last) {
      if (kind !== "folder") throw clash(store, license, here, `${describe(kind)} where its folder goes`);
      folder = here;
      continue;
    }
    if (kind !== "file") throw clash(store, license, here, `${describe(kind)} where the license goes`);
    checkHeldLicense(store, license, here);
    return true;
  }
  return false;
}
function checkHeldLicense(store, license, path) {
  let held;
  try {
    held = parseLicense(readLicenseFileSync(store, path).toString("utf8"), path);
  } catch {
    throw clash(store, license, path, "a file that is not a license where the license goes");
  }
  if (held.jti === license.jti) return;
  throw new LicenseBackupError(
    "STORE_INVALID",
    message`The store ${store} holds license ${held.jti} at ${JSON.stringify(path)}, where the backup's license ${license.jti} goes; a restore never replaces another license. Nothing was restored; move ${join(store, path)} out of the store (or restore into another store), then run the restore again.`,
    { file: path, licenseId: held.jti, keyId: held.keyId }
  );
}
function readListing(dir) {
  const byName = /* @__PURE__ */ new Map();
  const byKey = /* @__PURE__ */ new Map();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    byName.set(entry.name, entry.isDirectory() ? "folder" : entry.isFile() ? "file" : "other");
    byKey.set(nameKey(entry.name), entry.name);
  }
  return { byName, byKey };
}
function describe(kind) {
  if (kind === "folder") return "a folder";
  if (kind === "file") return "a file";
  return "a link or special file";
}
function clash(store, license, path, what) {
  return new LicenseBackupError(
    "STORE_INVALID",
    message`The backup's license ${JSON.stringify(license.path)} (license ID ${license.jti}) cannot be restored into the store ${store}: the store has ${JSON.stringify(path)} there, ${what}. Nothing was restored; move ${join(store, path)} out of the way (or restore into another store), then run the restore again.`,
    { file: path, licenseId: license.jti, keyId: license.key_id }
  );
}

// src/engine/restore/restore.ts
async function restore(options, control, emit) {
  const signal = control.signal;
  throwIfAborted(signal, "restore");
  checkLease(options.lease);
  const store = options.store;
  const opened = await openBackup(options.path, options).catch((error) => {
    throw asRestoreError(error, options.path);
  });
  announceBackup(opened, options, emit);
  const catalog = options.catalog ? await loadCatalog(options.catalog) : /* @__PURE__ */ new Map();
  const verifier = await serviceVerifier(options, signal, "restore");
  try {
    await mkdir(store, { recursive: true });
    const lock = await acquireStoreLock(store, "restore");
    try {
      const warn = (text) => emit(warning(text));
      await recoverRestore(store, warn, options.rollBackInterrupted === true);
      const given = options.machineKey === void 0 ? void 0 : await machineKeyFor(store, options.machineKey);
      if (!given && options.individualize !== true) await ensureStoredMachineKey(store, false);
      const target = targetCheck(store);
      const held = /* @__PURE__ */ new Set();
      const backup = await verifyBackup(options.path, {
        onEntry: (entry) => {
          if (target(entry)) held.add(entry.path);
        },
        opened,
        verifier,
        ...options.ageIdentity ? { ageIdentity: options.ageIdentity } : {},
        ...options.pattern === void 0 ? {} : { pattern: options.pattern },
        ...signal ? { signal } : {},
        onProgress: (done, total) => emit({ type: "PROGRESS", operation: "restore", phase: "verify", done, total })
      });
      const machine = given ?? await ensureStoredMachineKey(store, options.individualize === true);
      return await exchangeAndCommit({
        options,
        store,
        backup,
        held,
        machine,
        verifier,
        catalog,
        emit,
        signal
      });
    } finally {
      await lock.release();
    }
  } catch (error) {
    throw asRestoreError(error, options.path);
  } finally {
    await verifier.close();
  }
}
async function exchangeAndCommit(context) {
  const { store, emit, signal, options } = context;
  const staging = await openStaging(store);
  const taken = TakenSlots.in(restoreDirs(store).root);
  const link = new ServiceLink({
    service: options.service,
    machine: context.machine,
    individualize: options.individualize === true,
    leaseSeconds: options.lease,
    emit,
    signal,
    taken
  });
  const leases = new LeaseTracker();
  try {
    const outcome = await exchange(context, staging, link, leases);
    throwIfAborted(signal, "restore");
    emit({ type: "BEGIN", operation: "restore" });
    emit({ type: "PROGRESS", operation: "restore", phase: "commit", done: 0, total: staging.count });
    const leftOut = await commitStaged(store, staging, (message2) => emit(warning(message2)));
    emit({
      type: "PROGRESS",
      operation: "restore",
      phase: "commit",
      done: staging.count,
      total: staging.count
    });
    emit({ type: "END", operation: "restore" });
    return {
      machineId: context.machine.id,
      restored: staging.count - leftOut,
      ...outcome,
      ...leases.result()
    };
  } catch (error) {
    if (!await isCommitted(store).catch(() => true)) await link.giveBack();
    throw error;
  } finally {
    await taken.clear();
    await dropStaging(store);
  }
}
async function exchange(context, staging, link, leases) {
  const skipping = context.options.onRefused === "skip";
  let plan;
  let refusedInRestore = [];
  const spool = await openSpool(restoreDirs(context.store).root);
  try {
    plan = await previewAll(context, link, spool);
    if (plan.refused.length === 0 || skipping)
      refusedInRestore = await restoreAll(context, staging, link, plan, spool, leases);
  } finally {
    await spool.remove();
    await link.close();
  }
  const refused = [...plan.refused, ...refusedInRestore];
  if (refused.length > 0 && !skipping) failWith(context, refused);
  for (const refusal of refused) warnRefused(context, refusal);
  return {
    unchanged: plan.unchanged,
    expired: plan.expired,
    skipped: refused.map((r) => ({ ...skippedOf(r), ...titled(context, r.key_id) }))
  };
}
async function previewAll(context, link, spool) {
  const { options, backup, emit, signal } = context;
  const include = includeFilter(options.include);
  const plan = {
    sending: 0,
    unchanged: 0,
    expired: 0,
    refused: []
  };
  const refused = [];
  const total = backup.count;
  let seen = 0;
  let batch = [];
  const previewBatch = async () => {
    const asked = batch;
    batch = [];
    const outcomes = await link.preview(asked);
    const through = [];
    for (const [index, license] of asked.entries()) {
      const outcome = outcomes?.[index];
      if (outcome?.status !== "refused") {
        through.push({ ...license, held: outcome?.status === "held" });
        continue;
      }
      refused.push(outcome);
      emit({
        ...licenseEvent(license.jti, license.key_id, license.path),
        outcome: "refused",
        reason: outcome.reason
      });
    }
    spool.append(through);
    plan.sending += through.length;
    emit({ type: "PROGRESS", operation: "restore", phase: "preview", done: seen, total });
  };
  for await (const { entry, license } of backup.licenses(signal)) {
    seen++;
    if (!include({ jti: license.jti, keyId: license.keyId, path: entry.path })) continue;
    const detail = licenseEvent(license.jti, license.keyId, entry.path);
    if (isExpired(license)) {
      plan.expired++;
      emit({ ...detail, outcome: "expired" });
      continue;
    }
    if (await holdsAlready(context, entry.path, license)) {
      plan.unchanged++;
      emit({ ...detail, outcome: "unchanged" });
      continue;
    }
    batch.push(batchLicense(entry.path, license));
    if (batch.length >= MAX_BATCH) await previewBatch();
  }
  if (batch.length > 0) await previewBatch();
  plan.refused = refused;
  return plan;
}
function batchLicense(path, license) {
  return {
    jti: license.jti,
    key_id: license.keyId,
    rights: license.claims.rights,
    jws: license.text,
    path
  };
}
async function restoreAll(context, staging, link, plan, spool, leases) {
  const { sending } = plan;
  const { emit, signal } = context;
  const refused = [];
  if (sending === 0) return refused;
  let batch = [];
  let inFlight;
  const dropped = new AbortController();
  let sent = 0;
  const checkLicense = returnedLicenseCheck({
    url: context.options.service.url,
    verifier: context.verifier,
    leases,
    operation: "restore"
  });
  const sendBatch = async () => {
    const { client, session } = await link.open();
    const results = client.restoreBatch(session, batch, checkLicense, randomUUID(), dropped.signal);
    results.catch(() => {
    });
    const previous = inFlight;
    inFlight = { batch, results };
    batch = [];
    if (previous) await land(previous);
  };
  const land = async ({ batch: asked, results: answer }) => {
    const results = await answer;
    link.took(results.flatMap((r, i) => r.status !== "refused" && !asked[i].held ? [r.jti] : []));
    for (const [index, result] of results.entries()) {
      const path = asked[index].path;
      const detail = licenseEvent(result.jti, result.key_id, path);
      if (result.status === "refused") {
        refused.push(result);
        emit({ ...detail, outcome: "refused", reason: result.reason });
        continue;
      }
      staging.add({ path, data: Buffer.from(result.license) });
      emit({ ...detail, outcome: "restored" });
    }
    sent += asked.length;
    emit({ type: "PROGRESS", operation: "restore", phase: "exchange", done: sent, total: sending });
  };
  try {
    for await (const chunk of spool.read()) {
      throwIfAborted(signal, "restore");
      for (const license of chunk) {
        batch.push(license);
        if (batch.length >= MAX_BATCH) await sendBatch();
      }
    }
    if (batch.length > 0) await sendBatch();
    const last = inFlight;
    inFlight = void 0;
    if (last) await land(last);
  } finally {
    if (inFlight) {
      dropped.abort();
      await inFlight.results.catch(() => {
      });
    }
  }
  return refused;
}
function skippedOf(refusal) {
  const { jti, key_id, reason, url } = refusal;
  return { jti, key_id, reason, ...url === void 0 ? {} : { url } };
}
function failWith(context, refused) {
  for (const refusal of refused) {
    const event = refusalEvent(refusal, context.catalog.get(refusal.key_id));
    if (event) context.emit(event);
  }
  throw refusalError(refused, (keyId) => context.catalog.get(keyId));
}
function warnRefused(context, refusal) {
  const refused = refusalMessage(refusal, context.catalog.get(refusal.key_id));
  context.emit(warning(message`Left out, as ${option("onRefused")} says skip: ${refused}`));
}
function licenseEvent(licenseId, keyId, path) {
  return { type: "LICENSE", operation: "restore", licenseId, keyId, path };
}
async function holdsAlready(context, path, wanted) {
  if (!context.held.has(path)) return false;
  const file = join2(context.store, path);
  try {
    const info = lstatSync(file, { throwIfNoEntry: false });
    if (!info?.isFile()) return false;
    const held = parseLicense(readFileSync(file, "utf8"), path);
    if (held.jti !== wanted.jti || held.claims.cnf?.jkt !== context.machine.id) return false;
    if (leaseRunsOut(held)) return false;
    await context.verifier.verify(held);
    return true;
  } catch {
    return false;
  }
}
function titled(context, keyId) {
  const title = context.catalog.get(keyId);
  return title === void 0 ? {} : { title };
}
function asRestoreError(error, path) {
  if (error instanceof LicenseBackupError) return error;
  if (error instanceof DOMException && error.name === "AbortError") {
    return new LicenseBackupError("CANCELLED", "The restore was cancelled; nothing was changed.");
  }
  return asEngineError(
    error,
    (code) => new LicenseBackupError(
      "IO_ERROR",
      message`Restoring from ${path} failed (${code}); check the store folder, its permissions and free space. The store is as it was.`,
      { file: path, cause: error }
    )
  );
}
export {
  restore
};
