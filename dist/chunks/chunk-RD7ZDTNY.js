import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  STATE_DIR,
  crashPoint,
  fileIO,
  fsyncDir,
  fsyncFile,
  isAtomicTemp,
  pathProblem,
  writeAll,
  writeAllSync,
  writeFileAtomic
} from "./chunk-2ONXGDH7.js";
import {
  LicenseBackupError,
  asEngineError,
  calculateJwkThumbprint,
  capitalized,
  option,
  turnOn
} from "./chunk-DTKXSJ5O.js";
import {
  restrictToOwner
} from "./chunk-LTTOI6W3.js";

// src/engine/store/lock.ts
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
var LOCK_FILE = "lock";
var BACKUP_LOCK_SUFFIX = ".lb-lock";
var STALE_AFTER_MS = 30 * 6e4;
var UNREADABLE_GRACE_MS = 1e4;
var REFRESH_EVERY_MS = 5 * 6e4;
async function acquireStoreLock(store, operation, options = {}) {
  const dir = join(store, STATE_DIR);
  const createdDir = await ensureDir(dir);
  try {
    const lock = await acquireLock(
      { subject: `The store ${store}`, file: join(dir, LOCK_FILE) },
      operation,
      options
    );
    if (!createdDir) return lock;
    return {
      ...lock,
      // Leave the store as it was: remove the state folder this run created, if nothing else is in it.
      release: async () => {
        await lock.release();
        await fileIO().rmdir(dir).catch(() => {
        });
      }
    };
  } catch (error) {
    if (createdDir)
      await fileIO().rmdir(dir).catch(() => {
      });
    throw error;
  }
}
async function acquireBackupPathLock(path, options = {}) {
  try {
    await fileIO().mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw ioError(path + BACKUP_LOCK_SUFFIX, error);
  }
  return acquireLock(
    { subject: `The backup path ${path}`, file: path + BACKUP_LOCK_SUFFIX },
    "backup",
    options
  );
}
async function acquireLock(guarded, operation, options) {
  const info = {
    pid: process.pid,
    host: hostname(),
    started: (/* @__PURE__ */ new Date()).toISOString(),
    operation,
    token: randomUUID()
  };
  const { file } = guarded;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(file, info)) return held(file, info, options);
    const holder = await readHolder(file);
    if (holder === "gone") continue;
    const age = await ageOf(file);
    if (age === void 0) continue;
    if (holder === "unreadable") {
      const grace = options.unreadableGraceMs ?? UNREADABLE_GRACE_MS;
      if (age > grace) {
        await takeOver(file, void 0, options);
        continue;
      }
      throw unreadable(guarded, grace);
    }
    if (isStale(holder, age, options)) {
      await takeOver(file, holder, options);
      continue;
    }
    throw busy(guarded, holder, age);
  }
  throw busy(guarded, void 0, void 0);
}
function held(file, info, options) {
  let released = false;
  const refresh = async () => {
    if (!await stillOurs(file, info)) return;
    const now = /* @__PURE__ */ new Date();
    await fileIO().utimes(file, now, now).catch(() => {
    });
  };
  const timer = setInterval(() => void refresh(), options.refreshEveryMs ?? REFRESH_EVERY_MS);
  timer.unref();
  return {
    file,
    info,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      if (await stillOurs(file, info))
        await fileIO().unlink(file).catch(() => {
        });
    }
  };
}
async function stillOurs(file, info) {
  const current = await readHolder(file).catch(() => "gone");
  return typeof current === "object" && current.token === info.token;
}
async function ensureDir(dir) {
  try {
    await fileIO().mkdir(dir);
    return true;
  } catch (error) {
    if (error.code === "EEXIST") return false;
    throw ioError(dir, error);
  }
}
async function tryCreate(file, info) {
  const io = fileIO();
  const temp = `${file}${TEMP_MARK}${process.pid}-${info.token ?? randomUUID()}`;
  try {
    const handle = await io.open(temp, "wx", 420);
    try {
      await writeAll(handle, Buffer.from(JSON.stringify(info) + "\n"));
    } finally {
      await handle.close();
    }
    crashPoint("lock:written");
    await io.link(temp, file);
  } catch (error) {
    const code = error.code;
    if (code === "EEXIST") return false;
    if (code === "ENOENT") {
      await io.mkdir(dirname(file), { recursive: true }).catch(() => {
      });
      return false;
    }
    throw ioError(file, error);
  } finally {
    await io.unlink(temp).catch(() => {
    });
  }
  crashPoint("lock:acquired");
  await removeStaleTemps(file);
  return true;
}
var TEMP_MARK = ".new-";
async function removeStaleTemps(file) {
  const io = fileIO();
  const prefix = basename(file) + TEMP_MARK;
  const names = await io.readdir(dirname(file)).catch(() => []);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (pid === process.pid || processAlive(pid)) continue;
    await io.unlink(join(dirname(file), name)).catch(() => {
    });
  }
}
async function readHolder(file) {
  let text;
  try {
    text = await fileIO().readFile(file, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") return "gone";
    throw ioError(file, error);
  }
  try {
    const value = JSON.parse(text);
    if (typeof value.pid === "number" && typeof value.host === "string") return value;
  } catch {
  }
  return "unreadable";
}
function isStale(holder, age, options) {
  if (age > (options.staleAfterMs ?? STALE_AFTER_MS)) return true;
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return false;
  return !(options.isAlive ?? processAlive)(holder.pid);
}
function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
var TAKEOVER_MARK = ".takeover";
var TAKEOVER_GRACE_MS = 1e4;
async function takeOver(file, stale, options) {
  const io = fileIO();
  const mark = file + TAKEOVER_MARK;
  const info = { pid: process.pid, host: hostname(), started: (/* @__PURE__ */ new Date()).toISOString() };
  if (!await tryCreate(mark, info)) {
    await removeAbandonedMark(mark, options);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return;
  }
  try {
    const current = await readHolder(file);
    const same = stale === void 0 ? current === "unreadable" : typeof current === "object" && current.pid === stale.pid && current.started === stale.started;
    if (same) await io.unlink(file).catch(() => {
    });
  } finally {
    await io.unlink(mark).catch(() => {
    });
  }
}
async function removeAbandonedMark(mark, options) {
  const holder = await readHolder(mark);
  const age = await ageOf(mark);
  if (holder === "gone" || age === void 0) return;
  const abandoned = age > TAKEOVER_GRACE_MS || typeof holder === "object" && isStale(holder, age, { ...options, staleAfterMs: TAKEOVER_GRACE_MS });
  if (abandoned)
    await fileIO().unlink(mark).catch(() => {
    });
}
async function ageOf(file) {
  try {
    return Date.now() - (await fileIO().stat(file)).mtimeMs;
  } catch {
    return void 0;
  }
}
function unreadable(guarded, graceMs) {
  return new LicenseBackupError(
    "BUSY",
    `${guarded.subject} has a lock file it cannot read (${guarded.file}: empty, cut short, or not a lock this tool wrote). A run takes such a lock over once it is ${Math.round(graceMs / 1e3)} s old: run again in a moment. If no run is using it, delete ${guarded.file}.`,
    { file: guarded.file }
  );
}
function busy(guarded, holder, age) {
  const who = holder ? `a ${holder.operation ?? "run"} (pid ${holder.pid} on ${holder.host}, started ${holder.started})` : "another run";
  const refreshed = age === void 0 ? "" : `, its lock last refreshed ${Math.round(age / 1e3)} s ago`;
  const minutes = STALE_AFTER_MS / 6e4;
  return new LicenseBackupError(
    "BUSY",
    `${guarded.subject} is in use by ${who}${refreshed}. Wait for it to finish and run again; a run refreshes its lock while it works, and a lock not refreshed for ${minutes} minutes is taken over. If you are sure no run is using it, delete ${guarded.file}.`,
    { file: guarded.file }
  );
}
function ioError(file, error) {
  return asEngineError(
    error,
    (code) => new LicenseBackupError(
      "IO_ERROR",
      `The lock ${file} cannot be written (${code}); check the folder's permissions.`,
      { file, cause: error }
    )
  );
}

// src/engine/identity/machine-identity.ts
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes
} from "node:crypto";
import { join as join2 } from "node:path";
var MACHINE_FILE = "machine.json";
function machineIdentityFile(storeDir) {
  return join2(storeDir, STATE_DIR, MACHINE_FILE);
}
async function machineIdOf(publicJwk) {
  return calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x: publicJwk.x }, "sha256");
}
async function loadMachineIdentity(storeDir) {
  const file = machineIdentityFile(storeDir);
  let text;
  try {
    text = await fileIO().readFile(file, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") return void 0;
    throw new LicenseBackupError(
      "IO_ERROR",
      `Cannot read the machine identity ${file}: ${error.message}`,
      {
        file,
        cause: error
      }
    );
  }
  return parseIdentity(text, file);
}
async function createMachineIdentity(storeDir) {
  const io = fileIO();
  const file = machineIdentityFile(storeDir);
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const text = JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, null, 2) + "\n";
  const temp = `${file}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    await io.mkdir(join2(storeDir, STATE_DIR), { recursive: true, mode: 448 });
    const handle = await io.open(temp, "wx", 384);
    try {
      await restrictToOwner(temp);
      await writeAll(handle, Buffer.from(text));
      await handle.sync();
    } finally {
      await handle.close();
    }
    crashPoint("identity:temp-written");
    try {
      await io.link(temp, file);
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    crashPoint("identity:linked");
    await fsyncDir(join2(storeDir, STATE_DIR));
  } catch (error) {
    throw ioError2(file, error);
  } finally {
    await io.unlink(temp).catch(() => void 0);
  }
  const identity = await loadMachineIdentity(storeDir);
  if (!identity)
    throw ioError2(
      file,
      Object.assign(new Error("the file vanished after it was written"), { code: "ENOENT" })
    );
  return identity;
}
async function ensureMachineIdentity(storeDir, individualize) {
  await removeStaleTemps2(storeDir);
  const existing = await loadMachineIdentity(storeDir);
  if (existing) return existing;
  if (individualize !== true) {
    throw new LicenseBackupError(
      "INDIVIDUALIZATION_REQUIRED",
      `The store ${storeDir} has no machine identity, and restored licenses must be bound to one. ${capitalized(turnOn("individualize"))} to let it create one (${machineIdentityFile(storeDir)}).`,
      { file: machineIdentityFile(storeDir) }
    );
  }
  return createMachineIdentity(storeDir);
}
async function removeStaleTemps2(storeDir) {
  const io = fileIO();
  const dir = join2(storeDir, STATE_DIR);
  let names;
  try {
    names = await io.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^machine\.json\.tmp-(\d+)-/.exec(name)?.[1];
    if (pid === void 0 || Number(pid) === process.pid || processAlive(Number(pid))) continue;
    await io.unlink(join2(dir, name)).catch(() => void 0);
  }
}
async function parseIdentity(text, file) {
  let jwk;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw invalid(file, "it is not JSON");
  }
  if (jwk === null || typeof jwk !== "object" || jwk.kty !== "OKP" || jwk.crv !== "Ed25519") {
    throw invalid(file, "it is not an Ed25519 (OKP) JWK");
  }
  if (typeof jwk.x !== "string" || typeof jwk.d !== "string") throw invalid(file, "it lacks the key (x, d)");
  let privateKey;
  try {
    privateKey = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d }, format: "jwk" });
  } catch {
    throw invalid(file, "its key does not load");
  }
  const derived = createPublicKey(privateKey).export({ format: "jwk" });
  if (derived.x !== jwk.x) throw invalid(file, "its public key (x) does not match its private key (d)");
  const publicJwk = { kty: "OKP", crv: "Ed25519", x: derived.x };
  return { id: await machineIdOf(publicJwk), publicJwk, privateKey, file };
}
function invalid(file, why) {
  return new LicenseBackupError(
    "STORE_INVALID",
    `The machine identity ${file} is damaged: ${why}. Restore it from where it was kept; removing it makes this a new machine, which uses one more of each license's restore slots.`,
    { file }
  );
}
function ioError2(file, error) {
  return asEngineError(
    error,
    (code) => new LicenseBackupError(
      "IO_ERROR",
      `Cannot write the machine identity ${file} (${code}); check the store's disk space and permissions and run again. Nothing was restored.`,
      { file, cause: error }
    )
  );
}
async function readMachineId(storeDir) {
  const identity = await loadMachineIdentity(storeDir).catch(() => void 0);
  return identity?.id ?? null;
}

// src/engine/restore/commit.ts
import { existsSync, lstatSync } from "node:fs";
import { setImmediate as nextTurn } from "node:timers/promises";
import { basename as basename2, dirname as dirname3, join as join3 } from "node:path";

// src/engine/restore/journal.ts
import { realpath } from "node:fs/promises";
import { dirname as dirname2 } from "node:path";
var JOURNAL_VERSION = 2;
async function versionedJournal(store, paths, removed) {
  return {
    version: JOURNAL_VERSION,
    store: await realpath(store),
    id: `${process.pid}-${Date.now().toString(36)}`,
    paths,
    ...removed.length > 0 ? { removed } : {}
  };
}
async function readJournal(store, file) {
  let text;
  try {
    text = await fileIO().readFile(file, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") return void 0;
    throw new LicenseBackupError(
      "IO_ERROR",
      `The restore journal ${file} cannot be read (${codeOf(error)}); check the disk and run again: an interrupted restore is finished from it.`,
      { file, cause: error }
    );
  }
  return judged(text, await realpath(store));
}
function judged(text, store) {
  if (text.length === 0) return { damaged: "it is empty" };
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { damaged: "it is not JSON (cut short or overwritten)" };
  }
  const damaged = problem(value, store);
  return damaged === void 0 ? value : { damaged };
}
function problem(value, store) {
  const notOurs = "it is not a restore journal of this tool";
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `${notOurs} (not an object)`;
  const journal = value;
  if (journal["version"] !== void 0 && journal["version"] !== JOURNAL_VERSION)
    return `it is a journal of version ${shown(journal["version"])}, which this release does not read (it reads ${JOURNAL_VERSION}): a later release wrote it, and can finish it`;
  const lists = [journal["paths"], journal["removed"] ?? []];
  if (typeof journal["id"] !== "string" || !lists.every(isStringList))
    return `${notOurs} (its \`id\`, \`paths\` or \`removed\` is missing or of the wrong type)`;
  for (const path of lists.flat()) {
    const why = pathProblem(path);
    if (why) return `${notOurs}: its path ${shown(path)} ${why}`;
  }
  if (journal["version"] === void 0) return void 0;
  if (journal["store"] !== store)
    return `it belongs to the store ${shown(journal["store"])}, not this one (${store}): it was copied here with the store's ${STATE_DIR} folder, or the store was moved`;
  return void 0;
}
function isStringList(value) {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
function shown(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}\u2026` : text;
}
function damagedJournalError(store, file, reason) {
  return new LicenseBackupError(
    "STORE_INVALID",
    `The restore journal ${file} cannot be used: ${reason}. It records a restore (or release) of the store ${store} that was interrupted after its commit point, and no run can finish it from this file. To roll the store back to where it was before that restore (the licenses it had not yet moved in are dropped, any it had moved in stay, and the damaged journal is kept beside it as journal.json.damaged-<time>), ${turnOn("rollBackInterrupted")} and run again; then run the restore again. Nothing was changed.`,
    { file }
  );
}
async function setAside(file) {
  const kept = `${file}.damaged-${(/* @__PURE__ */ new Date()).toISOString().replace(/[:.]/g, "-")}`;
  try {
    await fileIO().rename(file, kept);
    await fsyncDir(dirname2(file));
  } catch (error) {
    throw asEngineError(
      error,
      (code) => new LicenseBackupError(
        "IO_ERROR",
        `The damaged restore journal ${file} cannot be set aside (${code}); check the folder's permissions and run again.`,
        { file, cause: error }
      )
    );
  }
  return kept;
}
function codeOf(error) {
  return error.code ?? error.message;
}

// src/engine/restore/commit.ts
var RESTORE_DIR = join3(STATE_DIR, "restore");
function restoreDirs(store) {
  const root = join3(store, RESTORE_DIR);
  return { root, staging: join3(root, "staging"), journal: join3(root, "journal.json") };
}
async function openStaging(store) {
  const { staging } = restoreDirs(store);
  const io = fileIO();
  await io.rm(staging, { recursive: true, force: true }).catch((error) => {
    throw stagingError(store, staging, error);
  });
  const made = /* @__PURE__ */ new Set();
  const paths = [];
  return {
    paths,
    add: (file) => {
      const target = join3(staging, file.path);
      const parent = dirname3(target);
      try {
        if (!made.has(parent)) {
          io.mkdirSync(parent, { recursive: true });
          made.add(parent);
        }
        writeFileSync(io, target, file.data);
      } catch (error) {
        throw stagingError(store, target, error);
      }
      paths.push(file.path);
      crashPoint("restore:stage");
    }
  };
}
async function dropStaging(store) {
  const dirs = restoreDirs(store);
  if (await exists(dirs.journal)) return;
  await fileIO().rm(dirs.staging, { recursive: true, force: true });
}
async function isCommitted(store) {
  return exists(restoreDirs(store).journal);
}
async function commitStaged(store, paths, warn, removed = []) {
  const dirs = restoreDirs(store);
  let journal;
  try {
    journal = await versionedJournal(store, paths, removed);
    await fileIO().mkdir(dirs.root, { recursive: true });
    if (paths.length > 0) await syncAll(dirs.staging, () => paths.map((path) => join3(dirs.staging, path)));
    crashPoint("restore:before-journal");
    await writeFileAtomic(dirs.journal, JSON.stringify(journal), { crashLabel: "restore:journal" });
  } catch (error) {
    if (!await exists(dirs.journal)) throw stagingError(store, dirs.journal, error);
    throw unfinishedError(store, dirs.journal, error);
  }
  crashPoint("restore:after-journal");
  return rollForward(store, journal, warn);
}
async function recoverRestore(store, warn, rollBack = false) {
  const dirs = restoreDirs(store);
  const io = fileIO();
  const journal = await readJournal(store, dirs.journal);
  if (journal && "damaged" in journal) {
    if (!rollBack) throw damagedJournalError(store, dirs.journal, journal.damaged);
    const kept = await setAside(dirs.journal);
    warn?.(
      `The restore journal ${dirs.journal} cannot be used: ${journal.damaged}. As ${option("rollBackInterrupted")} asks, the interrupted restore was rolled back: the licenses it had staged and not yet moved into the store were dropped (any it had moved in stay), and the damaged journal was kept as ${basename2(kept)} beside it. Run the restore again to bring back what it was restoring.`
    );
  } else if (journal) {
    await rollForward(store, journal, warn);
    await removeJournalTemps(dirs.root, dirs.journal);
    return "rolled-forward";
  }
  const temps = await removeJournalTemps(dirs.root, dirs.journal);
  if (!await exists(dirs.staging)) return temps > 0 ? "rolled-back" : "none";
  await io.rm(dirs.staging, { recursive: true, force: true }).catch((error) => {
    throw stagingError(store, dirs.staging, error);
  });
  crashPoint("restore:rolled-back");
  return "rolled-back";
}
async function removeJournalTemps(root, journal) {
  const io = fileIO();
  let names;
  try {
    names = await io.readdir(root);
  } catch {
    return 0;
  }
  const temps = names.filter((name) => isAtomicTemp(name, basename2(journal)));
  for (const name of temps) await io.rm(join3(root, name), { force: true });
  return temps.length;
}
async function rollForward(store, journal, warn) {
  const dirs = restoreDirs(store);
  const io = fileIO();
  const moved = new Uint8Array(journal.paths.length);
  const made = /* @__PURE__ */ new Set();
  const blockedFolders = /* @__PURE__ */ new Map();
  const leftOut = [];
  let current = dirs.journal;
  try {
    for (let index = 0; index < journal.paths.length; index++) {
      if (index > 0 && index % MOVES_PER_TURN === 0) await nextTurn();
      const path = journal.paths[index];
      const staged = join3(dirs.staging, path);
      const target = join3(store, path);
      current = target;
      if (!existsSync(staged)) continue;
      const parent = dirname3(target);
      if (!made.has(parent)) {
        const blocker = blockedFolders.get(parent) ?? folderBlocker(store, path);
        if (blocker !== void 0) {
          blockedFolders.set(parent, blocker);
          leftOut.push({ path, blocker });
          continue;
        }
        io.mkdirSync(parent, { recursive: true });
        made.add(parent);
      }
      try {
        io.renameSync(staged, target);
      } catch (error) {
        if (!lstatSync(target, { throwIfNoEntry: false })?.isDirectory()) throw error;
        leftOut.push({ path, blocker: path });
        continue;
      }
      moved[index] = 1;
      crashPoint("restore:move");
    }
    current = store;
    await syncAll(store, () => journal.paths.filter((_, i) => moved[i] === 1).map((path) => join3(store, path)));
    crashPoint("restore:moved-all");
    await removeAll(store, journal.removed ?? []);
    current = dirs.journal;
    await io.rm(dirs.journal, { force: true });
    await fsyncDir(dirs.root);
  } catch (error) {
    throw unfinishedError(store, current, error);
  }
  crashPoint("restore:journal-removed");
  await io.rm(dirs.staging, { recursive: true, force: true }).catch(() => {
  });
  crashPoint("restore:staging-removed");
  if (leftOut.length > 0) warn?.(leftOutMessage(store, leftOut));
  return leftOut.length;
}
function folderBlocker(store, path) {
  for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
    const folder = path.slice(0, slash);
    const info = lstatSync(join3(store, folder), { throwIfNoEntry: false });
    if (info === void 0) return void 0;
    if (!info.isDirectory()) return folder;
  }
  return void 0;
}
function leftOutMessage(store, leftOut) {
  const shown2 = leftOut.slice(0, 5).map(({ path, blocker }) => `${JSON.stringify(path)} (in the way: ${JSON.stringify(blocker)})`);
  const more = leftOut.length > shown2.length ? ` and ${leftOut.length - shown2.length} more` : "";
  return `${leftOut.length} restored license(s) could not be moved into the store ${store}, which has a folder where the license goes or a file or link where its folder goes: ${shown2.join(", ")}${more}. They were left out; the rest of the restore is complete. Move what is in the way out of the store and run the restore again to bring them back.`;
}
var MOVES_PER_TURN = 1024;
async function removeAll(store, removed) {
  if (removed.length === 0) return;
  const io = fileIO();
  for (const path of removed) {
    await io.rm(join3(store, path), { force: true });
    crashPoint("release:remove");
  }
  for (const parent of new Set(removed.map((path) => dirname3(join3(store, path))))) await fsyncDir(parent);
}
async function syncAll(dir, files) {
  if (await fileIO().syncFileSystem(dir)) return;
  const dirs = /* @__PURE__ */ new Set();
  for (const file of files()) {
    await fsyncFile(file);
    dirs.add(dirname3(file));
  }
  for (const parent of dirs) await fsyncDir(parent);
}
function writeFileSync(io, file, data) {
  const handle = io.openSync(file, "w", 420);
  try {
    writeAllSync(handle, data);
  } finally {
    handle.close();
  }
}
function stagingError(store, file, error) {
  return asEngineError(error, (code) => stagingIoError(store, file, code, error));
}
function stagingIoError(store, file, code, error) {
  const fix = code === "ENOSPC" || code === "EDQUOT" ? "free some space on its disk" : code === "EACCES" || code === "EPERM" || code === "EROFS" ? "give the restore job write access to it" : "check the disk";
  return new LicenseBackupError(
    "IO_ERROR",
    `Staging the restored licenses in the store ${store} failed at ${file} (${code}); ${fix} and run the restore again. The store's licenses are as they were.`,
    { file, cause: error }
  );
}
function unfinishedError(store, file, error) {
  return asEngineError(
    error,
    (code) => new LicenseBackupError(
      "IO_ERROR",
      `Moving the restored licenses into the store ${store} failed at ${file} (${code}); the restore is committed but not finished. Fix the cause (disk, permissions) and run the restore, or any backup of this store, again: it completes the restore before anything else.`,
      { file, cause: error }
    )
  );
}
async function exists(path) {
  try {
    await fileIO().stat(path);
    return true;
  } catch (error) {
    const code = error.code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw error;
  }
}

export {
  acquireStoreLock,
  acquireBackupPathLock,
  machineIdentityFile,
  machineIdOf,
  loadMachineIdentity,
  ensureMachineIdentity,
  readMachineId,
  openStaging,
  dropStaging,
  isCommitted,
  commitStaged,
  recoverRestore
};
