import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkStoreDir,
  listLicenseFiles
} from "./chunk-5JYXP6Y6.js";
import {
  includeFilter,
  machineOf
} from "./chunk-7H53EYO7.js";
import {
  ServiceLink,
  listed
} from "./chunk-VH7ESG2Y.js";
import {
  acquireStoreLock,
  commitStaged,
  recoverRestore
} from "./chunk-N6RBAA4U.js";
import "./chunk-HBLCTK5H.js";
import {
  crashPoint,
  parseLicense,
  readLicenseFileSync
} from "./chunk-DPHFYEVD.js";
import {
  DEFAULT_PATTERN,
  LicenseBackupError,
  compileGlob,
  throwIfAborted
} from "./chunk-KXCLBXFS.js";
import "./chunk-HANBNIMK.js";

// src/engine/release/release.ts
async function release(options, control, emit) {
  const signal = control.signal;
  throwIfAborted(signal, "release");
  const store = options.store;
  const pattern = options.pattern ?? DEFAULT_PATTERN;
  compileGlob(pattern);
  await checkStoreDir(store);
  const lock = await acquireStoreLock(store, "release");
  try {
    await recoverRestore(store);
    const machine = await machineOf(store, options.machineKey);
    if (!machine) return { machineId: null, released: 0, notHeld: 0, licenses: [] };
    const held = await boundLicenses(store, pattern, machine.id, options.include, signal);
    if (held.length === 0) return { machineId: machine.id, released: 0, notHeld: 0, licenses: [] };
    const statuses = await releaseAtService(options, machine, held, emit, signal);
    crashPoint("release:service-released");
    emit({ type: "BEGIN", operation: "release" });
    await commitStaged(
      store,
      [],
      void 0,
      held.map((l) => l.path)
    );
    emit({ type: "END", operation: "release" });
    const released = held.filter((l) => statuses.get(l.jti) === "released").length;
    return { machineId: machine.id, released, notHeld: held.length - released, licenses: held };
  } finally {
    await lock.release();
  }
}
async function releaseAtService(options, machine, held, emit, signal) {
  const link = new ServiceLink({ service: options.service, machine, individualize: false, emit, signal });
  let statuses;
  try {
    statuses = await link.release(held.map((l) => l.jti));
  } finally {
    await link.close();
  }
  if (!statuses) {
    throw new LicenseBackupError(
      "SERVICE_ERROR",
      `The license service at ${options.service.url} speaks protocol v1 and cannot take licenses back; nothing was removed from ${options.store}. ${held.length} license(s) keep their slot: ${listed(held.map((l) => l.jti))}.`,
      { url: options.service.url }
    );
  }
  throwIfAborted(signal, "release");
  return statuses;
}
async function boundLicenses(store, pattern, machineId, include, signal) {
  const wanted = includeFilter(include);
  const found = [];
  for (const path of await listLicenseFiles(store, pattern, signal)) {
    let license;
    try {
      license = parseLicense(readLicenseFileSync(store, path).toString("utf8"), path);
    } catch {
      continue;
    }
    if (license.claims.cnf?.jkt !== machineId) continue;
    if (!wanted({ jti: license.jti, keyId: license.keyId, path })) continue;
    found.push({ jti: license.jti, key_id: license.keyId, path });
  }
  return found;
}
export {
  release
};
