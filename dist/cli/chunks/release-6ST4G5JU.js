#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkStoreDir,
  scanLicenseFiles,
  walkLicenseFiles
} from "./chunk-MDRY2SV7.js";
import {
  ServiceLink,
  includeFilter
} from "./chunk-7AF4N3ZN.js";
import {
  listed
} from "./chunk-OI62GR3T.js";
import {
  MAX_BATCH,
  acquireStoreLock,
  commitStaged,
  machineKeyFor,
  recoverRestore
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
  capitalized,
  compileGlob,
  message,
  option,
  throwIfAborted,
  warning
} from "./chunk-BQKSSR5K.js";
import "./chunk-4BIDEYEZ.js";
import "./chunk-2ZTQXNXN.js";

// src/engine/release/release.ts
var YIELD_EVERY = 128;
async function release(options, control, emit) {
  const signal = control.signal;
  throwIfAborted(signal, "release");
  const store = options.store;
  const pattern = options.pattern ?? DEFAULT_PATTERN;
  compileGlob(pattern);
  const wanted = releaseFilter(options);
  await checkStoreDir(store);
  const lock = await acquireStoreLock(store, "release");
  try {
    await recoverRestore(store, (message2) => emit(warning(message2)), options.rollBackInterrupted === true);
    const machine = await machineKeyFor(store, options.machineKey);
    if (!machine) return { machineId: null, released: 0, notHeld: 0 };
    await scanLicenseFiles(store, pattern, signal);
    return { machineId: machine.id, ...await releaseBound(options, wanted, machine, emit, signal) };
  } finally {
    await lock.release();
  }
}
function releaseFilter(options) {
  if (options.jtis === void 0) return includeFilter(options.include);
  if (options.include !== void 0)
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`${capitalized(option("jtis"))} and ${option("include")} were both given to one release; give one of them.`
    );
  const ids = new Set(options.jtis);
  return ({ jti }) => ids.has(jti);
}
async function releaseBound(options, wanted, machine, emit, signal) {
  const { store } = options;
  const link = new ServiceLink({ service: options.service, machine, individualize: false, emit, signal });
  const counts = { released: 0, notHeld: 0 };
  let batch = [];
  let begun = false;
  const releaseBatch = async () => {
    if (!begun) emit({ type: "BEGIN", operation: "release" });
    begun = true;
    const statuses = await releaseAtService(options, link, batch, signal);
    crashPoint("release:service-released");
    await commitStaged(
      store,
      [],
      void 0,
      batch.map((l) => l.path)
    );
    for (const license of batch) {
      if (statuses.get(license.jti) === "released") counts.released++;
      else counts.notHeld++;
    }
    batch = [];
  };
  try {
    let seen = 0;
    for (const path of walkLicenseFiles(store, options.pattern ?? DEFAULT_PATTERN)) {
      if (++seen % YIELD_EVERY === 0) {
        await new Promise((resolve) => setImmediate(resolve));
        throwIfAborted(signal, "release");
      }
      const bound = boundLicense(store, path, machine.id);
      if (bound === void 0 || !wanted({ jti: bound.jti, keyId: bound.keyId, path })) continue;
      batch.push({ jti: bound.jti, path });
      if (batch.length >= MAX_BATCH) await releaseBatch();
    }
    if (batch.length > 0) await releaseBatch();
  } finally {
    await link.close();
  }
  if (begun) emit({ type: "END", operation: "release" });
  return counts;
}
async function releaseAtService(options, link, held, signal) {
  const statuses = await link.release(held.map((l) => l.jti));
  if (!statuses) {
    throw new LicenseBackupError(
      "SERVICE_ERROR",
      message`The license service at ${options.service.url} speaks protocol v1 and cannot take licenses back; nothing was removed from ${options.store}, and its licenses keep their slots (among them ${listed(held.map((l) => l.jti))}).`,
      { url: options.service.url }
    );
  }
  throwIfAborted(signal, "release");
  return statuses;
}
function boundLicense(store, path, machineId) {
  let license;
  try {
    license = parseLicense(readLicenseFileSync(store, path).toString("utf8"), path);
  } catch {
    return void 0;
  }
  if (license.claims.cnf?.jkt !== machineId) return void 0;
  return { jti: license.jti, keyId: license.keyId };
}
export {
  release
};
