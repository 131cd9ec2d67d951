import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  STATE_DIR,
  lastSegmentProblem,
  nameKey,
  pathProblem
} from "./chunk-PAGSOZD3.js";
import {
  DEFAULT_PATTERN,
  LicenseBackupError,
  asEngineError,
  compileGlob,
  message,
  option
} from "./chunk-LIRZADVX.js";

// src/engine/store/walk.ts
import { readdirSync } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
var YIELD_EVERY = 4096;
function* walkLicenseFiles(store, pattern = DEFAULT_PATTERN) {
  const matcher = compileGlob(pattern);
  const walk = function* (relativeDir) {
    const entries = readdirSync(relativeDir === "" ? store : join(store, relativeDir), {
      withFileTypes: true
    }).filter((entry) => relativeDir !== "" || entry.name !== STATE_DIR).map((entry) => ({ entry, key: entry.isDirectory() ? `${entry.name}/` : entry.name })).sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    const folderPasses = relativeDir === "" || pathProblem(relativeDir) === void 0;
    for (const { entry } of entries) {
      const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        yield* walk(relative);
        continue;
      }
      if (!matcher.test(relative)) continue;
      if (entry.isFile()) {
        const problem = folderPasses ? lastSegmentProblem(entry.name, relativeDir === "") : pathProblem(relative);
        if (problem !== void 0) throw badName(relative, store, problem);
        yield relative;
        continue;
      }
      const kind = entry.isSymbolicLink() ? "a symbolic link" : "not a regular file";
      throw new LicenseBackupError(
        "STORE_INVALID",
        message`${relative} in the store ${store} matches the license pattern but is ${kind}; links are never followed. Replace it with the license file itself, or move it out of the store.`,
        { file: relative }
      );
    }
  };
  try {
    yield* walk("");
  } catch (error) {
    throw storeReadError(store, error);
  }
}
async function scanLicenseFiles(store, pattern = DEFAULT_PATTERN, signal, onPath) {
  await checkStoreDir(store);
  const foreignKeys = /* @__PURE__ */ new Set();
  let count = 0;
  for (const path of walkLicenseFiles(store, pattern)) {
    if (++count % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
    if (signal?.aborted) return count;
    onPath?.(path);
    const key = nameKey(path);
    if (key !== path) foreignKeys.add(key);
  }
  if (foreignKeys.size > 0) checkNameCollisions(walkLicenseFiles(store, pattern), foreignKeys, store);
  return count;
}
function storeReadError(store, error) {
  return asEngineError(
    error,
    (code) => new LicenseBackupError(
      "IO_ERROR",
      message`The store ${store} cannot be read (${code}); check its permissions.`,
      {
        file: store,
        cause: error
      }
    )
  );
}
async function checkStoreDir(store) {
  let info;
  try {
    info = await stat(store);
  } catch (error) {
    const code = error.code;
    const why = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? "error"})`;
    throw new LicenseBackupError(
      "STORE_INVALID",
      message`The store ${store} ${why}; check ${option("store")}.`,
      {
        file: store,
        cause: error
      }
    );
  }
  if (!info.isDirectory()) {
    throw new LicenseBackupError(
      "STORE_INVALID",
      message`The store ${store} is not a directory; check ${option("store")}.`,
      {
        file: store
      }
    );
  }
}
function badName(relative, store, problem) {
  return new LicenseBackupError(
    "STORE_INVALID",
    message`${JSON.stringify(relative)} in the store ${store} matches the license pattern but ${problem}; a backup of it could not be restored safely on every file system. Rename it.`,
    { file: relative }
  );
}
function checkNameCollisions(paths, foreignKeys, store) {
  const seen = /* @__PURE__ */ new Map();
  for (const path of paths) {
    const key = nameKey(path);
    if (!foreignKeys.has(key)) continue;
    const other = seen.get(key);
    if (other !== void 0) {
      throw new LicenseBackupError(
        "STORE_INVALID",
        message`${JSON.stringify(other)} and ${JSON.stringify(path)} in the store ${store} are the same name on some file systems (they differ only by case, Unicode normalisation or invisible characters); a backup could not be restored on every file system. Rename or remove one of them.`,
        { file: path }
      );
    }
    seen.set(key, path);
  }
}

export {
  walkLicenseFiles,
  scanLicenseFiles,
  checkStoreDir
};
