import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  STATE_DIR,
  nameKey,
  pathProblem
} from "./chunk-DPHFYEVD.js";
import {
  DEFAULT_PATTERN,
  LicenseBackupError,
  asEngineError,
  compileGlob,
  option
} from "./chunk-KXCLBXFS.js";

// src/engine/store/walk.ts
import { readdirSync } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
var YIELD_EVERY_FOLDERS = 64;
async function listLicenseFiles(store, pattern = DEFAULT_PATTERN, signal) {
  await checkStoreDir(store);
  const matcher = compileGlob(pattern);
  const found = [];
  let folders = 0;
  const walk = async (relativeDir) => {
    if (signal?.aborted) return;
    const entries = readdirSync(relativeDir === "" ? store : join(store, relativeDir), {
      withFileTypes: true
    });
    if (++folders % YIELD_EVERY_FOLDERS === 0) await new Promise((resolve) => setImmediate(resolve));
    for (const entry of entries) {
      const relative = relativeDir === "" ? entry.name : `${relativeDir}/${entry.name}`;
      if (relativeDir === "" && entry.name === STATE_DIR) continue;
      if (entry.isDirectory()) {
        await walk(relative);
        continue;
      }
      if (!matcher.test(relative)) continue;
      if (entry.isFile()) {
        checkName(relative, store);
        found.push(relative);
        continue;
      }
      const kind = entry.isSymbolicLink() ? "a symbolic link" : "not a regular file";
      throw new LicenseBackupError(
        "STORE_INVALID",
        `${relative} in the store ${store} matches the license pattern but is ${kind}; links are never followed. Replace it with the license file itself, or move it out of the store.`,
        { file: relative }
      );
    }
  };
  try {
    await walk("");
  } catch (error) {
    throw asEngineError(
      error,
      (code) => new LicenseBackupError(
        "IO_ERROR",
        `The store ${store} cannot be read (${code}); check its permissions.`,
        {
          file: store,
          cause: error
        }
      )
    );
  }
  found.sort((a, b) => a < b ? -1 : a > b ? 1 : 0);
  checkNameCollisions(found, store);
  return found;
}
async function checkStoreDir(store) {
  let info;
  try {
    info = await stat(store);
  } catch (error) {
    const code = error.code;
    const why = code === "ENOENT" ? "does not exist" : `cannot be read (${code ?? "error"})`;
    throw new LicenseBackupError("STORE_INVALID", `The store ${store} ${why}; check ${option("store")}.`, {
      file: store,
      cause: error
    });
  }
  if (!info.isDirectory()) {
    throw new LicenseBackupError(
      "STORE_INVALID",
      `The store ${store} is not a directory; check ${option("store")}.`,
      {
        file: store
      }
    );
  }
}
function checkName(relative, store) {
  const problem = pathProblem(relative);
  if (problem === void 0) return;
  throw new LicenseBackupError(
    "STORE_INVALID",
    `${JSON.stringify(relative)} in the store ${store} matches the license pattern but ${problem}; a backup of it could not be restored safely on every file system. Rename it.`,
    { file: relative }
  );
}
function checkNameCollisions(paths, store) {
  const foreignKeys = /* @__PURE__ */ new Set();
  for (const path of paths) {
    const key = nameKey(path);
    if (key !== path) foreignKeys.add(key);
  }
  if (foreignKeys.size === 0) return;
  const seen = /* @__PURE__ */ new Map();
  for (const path of paths) {
    const key = nameKey(path);
    if (!foreignKeys.has(key)) continue;
    const other = seen.get(key);
    if (other !== void 0) {
      throw new LicenseBackupError(
        "STORE_INVALID",
        `${JSON.stringify(other)} and ${JSON.stringify(path)} in the store ${store} are the same name on some file systems (they differ only by case, Unicode normalisation or invisible characters); a backup could not be restored on every file system. Rename or remove one of them.`,
        { file: path }
      );
    }
    seen.set(key, path);
  }
}

export {
  listLicenseFiles,
  checkStoreDir
};
