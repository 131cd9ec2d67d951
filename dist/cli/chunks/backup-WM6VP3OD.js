#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  TOOL
} from "./chunk-K4CW4N3K.js";
import {
  FingerprintSet,
  INDEX_MEMBER,
  INDEX_TAIL,
  LicensesDigest,
  TAR_END,
  compressingSink,
  defaultOrigin,
  gzipMember,
  gzipMemberSync,
  parseAnyManifest,
  restrictedIndexLine,
  serializeManifestV2,
  summaryIndexHead,
  tarHeader,
  tarMemberSize,
  tarPadding,
  writeManifest,
  writeTarMember
} from "./chunk-PLZLM3ER.js";
import {
  ENCRYPTED_PACK_FILE,
  FORMAT,
  FORMAT_V2,
  FORMAT_V2_1,
  MANIFEST_FILE,
  PACK_FILE,
  PACK_FILES_V2,
  SIGNATURE_FILE,
  checkRecipients,
  encryptingSink,
  packFileV2,
  signMessage
} from "./chunk-RAQQYTCA.js";
import {
  NOT_VERIFIED_WARNING,
  createVerifier,
  loadCatalog,
  startWorker
} from "./chunk-ZFBTQMQJ.js";
import "./chunk-TCR4G6GI.js";
import {
  batchReader,
  readBatch
} from "./chunk-Z6MHIMP7.js";
import {
  checkStoreDir,
  scanLicenseFiles
} from "./chunk-MDRY2SV7.js";
import {
  acquireBackupPathLock,
  acquireStoreLock,
  readMachineId,
  recoverRestore
} from "./chunk-A3JQTEON.js";
import {
  parseSigningKey
} from "./chunk-SOJSM5O6.js";
import {
  crashPoint,
  fileIO,
  fsyncDir,
  invalidLicense,
  parseLicense,
  readError,
  readLicenseFileSync,
  writeAll,
  writeFileAtomic
} from "./chunk-OQ3BY7FT.js";
import {
  DEFAULT_PATTERN,
  LicenseBackupError,
  asEngineError,
  compileGlob,
  message,
  option,
  throwIfAborted,
  turnOn,
  warning
} from "./chunk-BQKSSR5K.js";
import {
  foldsCase
} from "./chunk-4BIDEYEZ.js";
import "./chunk-2ZTQXNXN.js";

// src/engine/backup/backup.ts
import { availableParallelism } from "node:os";
import { rm as rm2 } from "node:fs/promises";
import { join as join6, resolve as resolve2 } from "node:path";

// src/engine/format/pack-sink.ts
import { createHash } from "node:crypto";
var FLUSH_AT = 1024 * 1024;
async function openFileSink(file) {
  const handle = await fileIO().open(file, "wx", 420);
  crashPoint("backup:pack-opened");
  const hash = createHash("sha256");
  let pending = [];
  let pendingBytes = 0;
  let size = 0;
  let closed = false;
  let writing;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await writing;
    writing = writeAll(handle, data).then(() => crashPoint("backup:pack-chunk"));
    writing.catch(() => {
    });
  };
  return {
    write: async (chunk) => {
      const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      hash.update(bytes);
      size += bytes.length;
      pending.push(bytes);
      pendingBytes += bytes.length;
      if (pendingBytes >= FLUSH_AT) await flush();
    },
    close: async () => {
      closed = true;
      try {
        await flush();
        await writing;
        await handle.sync();
      } finally {
        await writing?.catch(() => {
        });
        await handle.close();
      }
      crashPoint("backup:pack-written");
      return { sha256: hash.digest("hex"), size };
    },
    abort: async () => {
      if (closed) return;
      closed = true;
      await writing?.catch(() => {
      });
      await handle.close().catch(() => {
      });
    }
  };
}

// src/engine/format/pack-v2.ts
import { join } from "node:path";
async function openPackV2(dir, options) {
  const file = packFileV2(options.compression, options.encryptTo !== void 0);
  let sink = await openFileSink(join(dir, file));
  if (options.encryptTo) sink = await encryptingSink(sink, options.encryptTo);
  const gzip = options.compression === "gzip" ? compressingSink(sink) : void 0;
  const below = gzip ?? sink;
  let tarSize = 0;
  const counting = {
    write: async (chunk) => {
      tarSize += chunk.byteLength;
      await below.write(chunk);
    },
    close: () => below.close(),
    abort: () => below.abort()
  };
  if (gzip) {
    counting.writeMembers = async (members, tarBytes) => {
      tarSize += tarBytes;
      await gzip.writeMembers(members);
    };
  }
  return {
    file,
    sink: counting,
    finish: async (index) => {
      await writeIndexMember(counting, index);
      crashPoint("backup:index-written");
      await counting.write(TAR_END);
      const digest = await counting.close();
      return { ...digest, tarSize };
    }
  };
}
async function writeIndexMember(sink, index) {
  const head = summaryIndexHead(index.licenses);
  const size = head.length + index.restricted.bytes + INDEX_TAIL.length;
  await sink.write(tarHeader(INDEX_MEMBER, size));
  await sink.write(Buffer.from(head));
  await writeSpooled(sink, index.restricted);
  await sink.write(Buffer.from(INDEX_TAIL));
  await sink.write(tarPadding(size));
}
async function writeSpooled(sink, lines) {
  let stored = 0;
  const counted = async function* () {
    for await (const chunk of lines.read()) {
      stored += chunk.byteLength;
      yield chunk;
    }
  };
  if (!lines.gzipped) {
    for await (const chunk of counted()) await sink.write(chunk);
  } else if (sink.writeMembers) {
    await sink.writeMembers(counted(), lines.bytes);
  } else {
    throw new Error("an index spool of gzip members, for a pack that is not gzip");
  }
  if (stored !== lines.stored) throw new Error(`an index spool holds ${stored} bytes, not ${lines.stored}`);
}

// src/engine/backup/write-manifest-v2.ts
import { join as join2 } from "node:path";
async function writeManifestV2(dir, manifest, key) {
  const text = serializeManifestV2(manifest);
  const files = [];
  if (key) {
    await writeFileAtomic(join2(dir, SIGNATURE_FILE), signMessage(Buffer.from(text), key), {
      crashLabel: "backup:signature"
    });
    crashPoint("backup:signature-written");
    files.push(SIGNATURE_FILE);
  }
  await writeFileAtomic(join2(dir, MANIFEST_FILE), text, { crashLabel: "backup:manifest" });
  crashPoint("backup:manifest-written");
  return [...files, MANIFEST_FILE];
}

// src/engine/verify-pool/read-pool.ts
var BATCH = 256;
var AHEAD = 3;
async function* readLicenseBatches(options) {
  const { threads } = options;
  if (threads === 0) {
    const reader = batchReader(options.store, options.keys, options.fileSystem);
    for (; ; ) {
      const { paths, walkError: walkError2 } = nextPaths(options.paths, 1);
      if (paths.length > 0) yield { paths, ...readBatch(reader, paths) };
      if (walkError2 !== void 0) throw walkError2;
      if (paths.length === 0) return;
    }
  }
  const setup = { readPool: true, store: options.store, keys: options.keys && [...options.keys] };
  const workers = Array.from({ length: threads }, () => new ReadThread(setup));
  const inflight = [];
  let sent = 0;
  let walked = false;
  let walkError;
  const fill = () => {
    while (!walked && inflight.length < AHEAD * threads) {
      const next = nextPaths(options.paths, BATCH);
      walked = next.paths.length < BATCH;
      walkError = next.walkError;
      if (next.paths.length === 0) continue;
      const reply = workers[sent++ % threads].read(next.paths);
      reply.catch(() => {
      });
      inflight.push({ paths: next.paths, reply });
    }
  };
  try {
    fill();
    for (let batch = inflight.shift(); batch !== void 0; batch = inflight.shift()) {
      const reply = await batch.reply;
      fill();
      yield { paths: batch.paths, ...reply };
    }
    if (walkError !== void 0) throw walkError;
  } finally {
    await Promise.all(workers.map((worker) => worker.close()));
  }
}
function nextPaths(paths, size) {
  const batch = [];
  try {
    while (batch.length < size) {
      const step = paths.next();
      if (step.done) break;
      batch.push(step.value);
    }
  } catch (error) {
    return { paths: batch, walkError: error };
  }
  return { paths: batch };
}
var ReadThread = class {
  worker;
  waiting = [];
  failure;
  nextId = 0;
  constructor(setup) {
    this.worker = startWorker(setup);
    this.worker.on("message", (reply) => this.waiting.shift()?.resolve(reply));
    this.worker.on("error", (error) => this.fail(error));
    this.worker.on("exit", (code) => this.fail(new Error(`a read thread stopped (exit code ${code})`)));
  }
  read(paths) {
    if (this.failure) return Promise.reject(this.failure);
    const request = { id: this.nextId++, paths: paths.join("\0") };
    return new Promise((resolve3, reject) => {
      this.waiting.push({ resolve: resolve3, reject });
      this.worker.postMessage(request);
    });
  }
  async close() {
    this.failure ??= new Error("the read pool is closed");
    await this.worker.terminate();
  }
  fail(error) {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
};

// src/engine/backup/index-spool.ts
import { closeSync, createReadStream, openSync, readFileSync, writeSync } from "node:fs";
import { rm } from "node:fs/promises";
import { join as join3 } from "node:path";
import { gunzipSync } from "node:zlib";
var FLUSH_AT2 = 256 * 1024;
var DEFLATING_AT_MOST = 4;
var IndexSpool = class _IndexSpool {
  constructor(file, gzipped, fd) {
    this.file = file;
    this.gzipped = gzipped;
    this.fd = fd;
  }
  file;
  gzipped;
  fd;
  pending = [];
  pendingChars = 0;
  written = 0;
  stored = 0;
  deflating = 0;
  /** The spool's writes, in order: a run's member is written once it and every run before it are. */
  writes = Promise.resolve();
  /** Opens `.<name>.spool` in `dir`; `gzipped`, it holds gzip members of the lines. */
  static open(dir, name, gzipped) {
    const file = join3(dir, `.${name}.spool`);
    return new _IndexSpool(file, gzipped, openSync(file, "wx", 384));
  }
  /** How many lines were added. */
  lines = 0;
  /** Appends a line. */
  add(line) {
    this.lines++;
    this.pending.push(line);
    this.pendingChars += line.length;
    if (this.pendingChars >= FLUSH_AT2) this.flush();
  }
  /** Writes what is left and closes the spool; resolves the lines' size in bytes and the file's. */
  async finish() {
    this.flush();
    await this.writes;
    this.close();
    return { bytes: this.written, stored: this.stored, gzipped: this.gzipped };
  }
  /** The spooled bytes, in order (after `finish`). */
  read() {
    return createReadStream(this.file, { highWaterMark: 1024 * 1024 });
  }
  /** The spooled text, whole (after `finish`): for a spool the caller knows to be small. */
  text() {
    const bytes = readFileSync(this.file);
    return (this.gzipped && bytes.length > 0 ? gunzipSync(bytes) : bytes).toString("utf8");
  }
  async remove() {
    await this.writes.catch(() => {
    });
    this.close();
    await rm(this.file, { force: true });
  }
  flush() {
    if (this.pending.length === 0 || this.fd === void 0) return;
    const bytes = Buffer.from(this.pending.join(""));
    this.pending = [];
    this.pendingChars = 0;
    this.written += bytes.length;
    if (!this.gzipped) {
      this.writeOut(bytes);
      return;
    }
    const member = this.deflate(bytes);
    this.writes = this.writes.then(async () => this.writeOut(await member));
    this.writes.catch(() => {
    });
  }
  deflate(bytes) {
    if (this.deflating >= DEFLATING_AT_MOST) return Promise.resolve(gzipMemberSync(bytes));
    this.deflating++;
    return gzipMember(bytes).finally(() => this.deflating--);
  }
  writeOut(bytes) {
    if (this.fd === void 0) throw new Error(`the index spool ${this.file} is closed`);
    for (let offset = 0; offset < bytes.length; )
      offset += writeSync(this.fd, bytes, offset, bytes.length - offset);
    this.stored += bytes.length;
  }
  close() {
    if (this.fd === void 0) return;
    closeSync(this.fd);
    this.fd = void 0;
  }
};

// src/engine/backup/path-spool.ts
import { closeSync as closeSync2, openSync as openSync2, readSync, rmSync, writeSync as writeSync2 } from "node:fs";
var RUN_BYTES = 256 * 1024;
var END = 0;
var PathSpool = class _PathSpool {
  constructor(file, fd) {
    this.file = file;
    this.fd = fd;
  }
  file;
  fd;
  pending = [];
  pendingBytes = 0;
  /** Creates `file`, which must not exist. */
  static open(file) {
    return new _PathSpool(file, openSync2(file, "wx+", 384));
  }
  /** Appends a path. */
  add(path) {
    this.pending.push(path);
    this.pendingBytes += path.length + 1;
    if (this.pendingBytes >= RUN_BYTES) this.flush();
  }
  /** The paths in the order they were added, read back a run at a time; call once, after the last add. */
  *paths() {
    this.flush();
    const fd = this.fd;
    const buffer = Buffer.allocUnsafe(RUN_BYTES);
    let position = 0;
    let carry;
    for (; ; ) {
      const read = readSync(fd, buffer, 0, buffer.length, position);
      if (read === 0) return;
      position += read;
      const data = carry ? Buffer.concat([carry, buffer.subarray(0, read)]) : buffer.subarray(0, read);
      let start = 0;
      for (let end = data.indexOf(END); end >= 0; end = data.indexOf(END, start)) {
        yield data.toString("utf8", start, end);
        start = end + 1;
      }
      carry = start < data.length ? Buffer.from(data.subarray(start)) : void 0;
    }
  }
  /** Closes and deletes the spool. */
  remove() {
    if (this.fd !== void 0) closeSync2(this.fd);
    this.fd = void 0;
    rmSync(this.file, { force: true });
  }
  flush() {
    if (this.pending.length === 0) return;
    const text = this.pending.join("\0") + "\0";
    this.pending = [];
    this.pendingBytes = 0;
    writeSync2(this.fd, text);
  }
};

// src/engine/backup/folder.ts
import { randomBytes } from "node:crypto";
import { basename, dirname, join as join4 } from "node:path";
var NEW_MARK = ".lb-new-";
var OLD_MARK = ".lb-old-";
var BACKUP_NAMES = /* @__PURE__ */ new Set([
  MANIFEST_FILE,
  PACK_FILE,
  ENCRYPTED_PACK_FILE,
  SIGNATURE_FILE,
  ...PACK_FILES_V2
]);
async function inspectTarget(path, overwrite = false) {
  let info;
  try {
    info = await fileIO().lstat(path);
  } catch (error) {
    if (error.code === "ENOENT") return { kind: "absent" };
    throw ioError(path, error);
  }
  if (info.isSymbolicLink()) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`The backup path ${path} is a symbolic link; give the real folder's path.`,
      { file: path }
    );
  }
  if (!info.isDirectory()) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`The backup path ${path} is a file, not a folder; choose a folder path.`,
      { file: path }
    );
  }
  if (await hasValidManifest(path)) return { kind: "backup" };
  const names = (await fileIO().readdir(path)).sort();
  if (names.length === 0) return { kind: "replaceable" };
  const ours = names.includes(MANIFEST_FILE) && await startsAsOurManifest(path);
  const damaged = ours && names.every((name) => BACKUP_NAMES.has(name));
  if (overwrite && damaged) return { kind: "replaceable" };
  throw notABackup(path, names, ours, damaged);
}
var OUR_FORMAT_LINE = /^\{\s*"format"\s*:\s*"license-backup\/v\d+(\.\d+)?"/;
var FORMAT_LINE_BYTES = 64;
async function startsAsOurManifest(path) {
  const file = join4(path, MANIFEST_FILE);
  try {
    if (!(await fileIO().lstat(file)).isFile()) return false;
    const handle = await fileIO().open(file, "r");
    try {
      return OUR_FORMAT_LINE.test(await readText(handle, 0, FORMAT_LINE_BYTES));
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
}
function notABackup(path, names, ours, damaged) {
  const listed = names.slice(0, 5).join(", ") + (names.length > 5 ? `, \u2026 (${names.length} in all)` : "");
  const why = !names.includes(MANIFEST_FILE) ? `it has no ${MANIFEST_FILE}` : ours ? `its ${MANIFEST_FILE} is a license-backup manifest that is damaged (cut short or unreadable past its format line)` : `its ${MANIFEST_FILE} is not a license-backup manifest`;
  const fix = damaged ? message`if it is a damaged backup you want replaced, ${turnOn("overwrite")}; else choose an empty or new folder` : "choose an empty or new folder, so nothing of yours is replaced";
  return new LicenseBackupError(
    "CONFIG_INVALID",
    message`The backup path ${path} is a folder that is not a backup (${why}); it holds ${listed}. Nothing was written: ${fix}.`,
    { file: path }
  );
}
var FULL_CHECK_BYTES = 1024 * 1024;
var HEAD_BYTES = 64 * 1024;
var TAIL_BYTES = 1024;
async function hasValidManifest(path) {
  const file = join4(path, MANIFEST_FILE);
  try {
    const info = await fileIO().stat(file);
    if (!info.isFile()) return false;
    if (info.size > FULL_CHECK_BYTES) return await looksComplete(path, info.size);
    parseAnyManifest(await fileIO().readFile(file, "utf8"), file);
    return true;
  } catch {
    return false;
  }
}
var HEAD = /^\s*\{\s*"format"\s*:\s*"license-backup\/v1"\s*,[^]*?"pack"\s*:\s*\{\s*"file"\s*:\s*"(licenses\.tar(?:\.age)?)"\s*,\s*"sha256"\s*:\s*"[0-9a-f]{64}"\s*,\s*"size"\s*:\s*(\d+)\s*\}\s*,\s*"licenses"\s*:\s*\[/;
var TAIL = /"counts"\s*:\s*\{\s*"licenses"\s*:\s*\d+\s*,\s*"restricted"\s*:\s*\d+\s*,\s*"bytes"\s*:\s*\d+\s*\}\s*\}\s*$/;
async function looksComplete(path, size) {
  const handle = await fileIO().open(join4(path, MANIFEST_FILE), "r");
  let head;
  let tail;
  try {
    head = await readText(handle, 0, Math.min(HEAD_BYTES, size));
    tail = await readText(handle, size - TAIL_BYTES, TAIL_BYTES);
  } finally {
    await handle.close();
  }
  const found = HEAD.exec(head);
  if (!found || !TAIL.test(tail)) return false;
  const pack = await fileIO().lstat(join4(path, found[1]));
  return pack.isFile() && pack.size === Number(found[2]);
}
async function readText(handle, position, length) {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.toString("utf8", 0, bytesRead);
}
async function sweepLeftovers(path) {
  const io = fileIO();
  const parent = dirname(path);
  const base = basename(path);
  let names;
  try {
    names = await io.readdir(parent);
  } catch (error) {
    if (error.code === "ENOENT") return;
    throw ioError(parent, error);
  }
  const olds = names.filter((name) => name.startsWith(base + OLD_MARK)).sort();
  const news = names.filter((name) => name.startsWith(base + NEW_MARK));
  if (olds.length > 0 && (await inspectTarget(path).catch(() => void 0))?.kind === "absent") {
    for (const old of olds) {
      if (await hasValidManifest(join4(parent, old))) {
        await io.rename(join4(parent, old), path);
        await fsyncDir(parent);
        crashPoint("backup:sweep-put-back");
        break;
      }
    }
  }
  for (const name of [...olds, ...news]) {
    await io.rm(join4(parent, name), { recursive: true, force: true });
    crashPoint("backup:sweep-removed");
  }
}
function spoolFileBeside(path, name) {
  return `${path}${NEW_MARK}${randomBytes(6).toString("hex")}.${name}`;
}
async function makeBuildDir(path) {
  await fileIO().mkdir(dirname(path), { recursive: true });
  const dir = `${path}${NEW_MARK}${randomBytes(6).toString("hex")}`;
  await fileIO().mkdir(dir);
  crashPoint("backup:build-dir");
  return dir;
}
async function commitBuildDir(built, path, target) {
  const io = fileIO();
  const parent = dirname(path);
  if (target.kind === "absent") {
    await io.rename(built, path);
    crashPoint("backup:renamed-in");
    await placed(path, () => fsyncDir(parent));
    return;
  }
  const parked = `${path}${OLD_MARK}${randomBytes(6).toString("hex")}`;
  await io.rename(path, parked);
  crashPoint("backup:swap-parked");
  try {
    await io.rename(built, path);
  } catch (error) {
    await io.rename(parked, path).catch(() => {
    });
    throw error;
  }
  crashPoint("backup:swap-renamed-in");
  await placed(path, async () => {
    await fsyncDir(parent);
    await io.rm(parked, { recursive: true, force: true });
  });
  crashPoint("backup:swap-parked-removed");
}
async function placed(path, rest) {
  try {
    await rest();
  } catch (error) {
    throw asEngineError(
      error,
      (code) => new LicenseBackupError(
        "IO_ERROR",
        message`The new backup at ${path} is in place, but flushing it to disk or removing the old one failed (${code}); run the backup again to be sure it survives a power cut (the next run also removes what is left of the old one).`,
        { file: path, cause: error }
      )
    );
  }
}
function ioError(path, error) {
  return asEngineError(
    error,
    (code) => new LicenseBackupError(
      "IO_ERROR",
      message`The backup path ${path} cannot be used (${code}); check the folder and its permissions.`,
      { file: path, cause: error }
    )
  );
}

// src/engine/backup/paths.ts
import { realpath } from "node:fs/promises";
import { basename as basename2, dirname as dirname2, join as join5, posix, resolve, win32 } from "node:path";
async function checkPathsApart(store, backupPath) {
  const realStore = await realpath(store);
  const realBackup = await realpathOfMaybeMissing(backupPath);
  if (isWithin(realBackup, realStore)) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`The backup path ${backupPath} is inside the store ${store}; a backup must be written outside the store. Choose a path outside it.`,
      { file: backupPath }
    );
  }
  if (isWithin(realStore, realBackup)) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`The backup path ${backupPath} holds the store ${store}; writing the backup there would replace the store. Choose a path outside it.`,
      { file: backupPath }
    );
  }
}
async function realpathOfMaybeMissing(path) {
  const absolute = resolve(path);
  const missing = [];
  let current = absolute;
  for (; ; ) {
    try {
      return join5(await realpath(current), ...missing.reverse());
    } catch {
      const parent = dirname2(current);
      if (parent === current) return absolute;
      missing.push(basename2(current));
      current = parent;
    }
  }
}
function isWithin(inner, outer, os = process.platform) {
  const path = os === "win32" ? win32 : posix;
  const fold = (text) => foldsCase(os) ? text.toLowerCase() : text;
  const rel = path.relative(fold(outer), fold(inner));
  return rel === "" || rel !== ".." && !rel.startsWith(".." + path.sep) && !path.isAbsolute(rel);
}

// src/engine/backup/backup.ts
var PROGRESS_EVERY = 1e3;
var YIELD_EVERY = 128;
var READ_ON_THIS_THREAD = 512;
var WRITE_RUN = 256 * 1024;
var RUN_CAPACITY = WRITE_RUN + 16 * 1024;
var MAX_SHARED_KEY_IDS = 1024;
async function backup(options, control, emit, internals = {}) {
  const signal = control.signal;
  throwIfAborted(signal, "backup");
  const store = options.store;
  const path = resolve2(options.path);
  const pattern = options.pattern ?? DEFAULT_PATTERN;
  compileGlob(pattern);
  const encryptTo = options.encryptTo && options.encryptTo.length > 0 ? [...options.encryptTo] : void 0;
  if (encryptTo) await checkRecipients(encryptTo);
  const v1 = options.format === FORMAT;
  const signingKey = options.sign ? parseSigningKey(options.sign.key, options.sign.source) : void 0;
  if (v1 && (signingKey || options.compression)) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`The backup at ${options.path} is to be written as ${FORMAT}, which has no compression or signature; remove them or write ${FORMAT_V2}.`,
      { file: options.path }
    );
  }
  await checkStoreDir(store);
  await checkPathsApart(store, options.path);
  const catalog = options.catalog ? await loadCatalog(options.catalog) : /* @__PURE__ */ new Map();
  const verifier = await createVerifier(options.trust, {
    ...signal ? { signal } : {},
    operation: "backup",
    pooled: true
  });
  const lock = await acquireStoreLock(store, "backup").catch(async (error) => {
    await verifier.close();
    throw error;
  });
  const pathLock = await acquireBackupPathLock(path).catch(async (error) => {
    await verifier.close();
    await lock.release();
    throw error;
  });
  let buildDir;
  let spool;
  try {
    await recoverRestore(store, (message2) => emit(warning(message2)), options.rollBackInterrupted === true);
    await sweepLeftovers(path);
    const target = await inspectTarget(path, options.overwrite);
    if (target.kind === "backup" && !options.overwrite) {
      throw new LicenseBackupError(
        "BACKUP_EXISTS",
        message`A backup already exists at ${options.path}, and ${option("overwrite")} is off; ${turnOn("overwrite")} to replace it, or choose another path.`,
        { file: options.path }
      );
    }
    emit({ type: "BEGIN", operation: "backup" });
    if (!verifier.verifying) emit(warning(NOT_VERIFIED_WARNING));
    throwIfAborted(signal, "backup");
    spool = PathSpool.open(spoolFileBeside(path, "paths"));
    const paths = spool;
    const total = await scanLicenseFiles(store, pattern, signal, (path2) => paths.add(path2));
    throwIfAborted(signal, "backup");
    if (total === 0) {
      throw new LicenseBackupError(
        "STORE_INVALID",
        message`The store ${store} holds no licenses (no file matches ${pattern}); check ${option("store")} and ${option("pattern")}.`,
        { file: store }
      );
    }
    emit({ type: "PROGRESS", operation: "backup", phase: "scan", done: total, total });
    buildDir = await makeBuildDir(path);
    const write = {
      store,
      total,
      paths: () => paths.paths(),
      catalog,
      verifier,
      emit,
      internals,
      signal,
      buildDir,
      encryptTo,
      pattern
    };
    const written = v1 ? await writeV1(write) : await writeV2(write, options, signingKey);
    throwIfAborted(signal, "backup");
    await commitBuildDir(buildDir, path, target);
    buildDir = void 0;
    emit({ type: "PROGRESS", operation: "backup", phase: "commit", done: 1, total: 1 });
    emit({ type: "END", operation: "backup" });
    return { path: options.path, ...written };
  } catch (error) {
    throw asEngineError(
      error,
      (code) => new LicenseBackupError(
        "IO_ERROR",
        message`Writing the backup at ${options.path} failed (${code}); check the folder, its permissions and free space. Any earlier backup there is intact.`,
        { file: options.path, cause: error }
      ),
      "Any earlier backup there is intact."
    );
  } finally {
    if (buildDir) await rm2(buildDir, { recursive: true, force: true });
    spool?.remove();
    await verifier.close();
    await pathLock.release();
    await lock.release();
  }
}
async function withSink(sink, body) {
  try {
    return await body();
  } catch (error) {
    await sink.abort();
    throw error;
  }
}
async function writeV1(input) {
  const { buildDir, encryptTo, emit, signal } = input;
  const packFile = encryptTo ? ENCRYPTED_PACK_FILE : PACK_FILE;
  let sink = await openFileSink(join6(buildDir, packFile));
  if (encryptTo) sink = await encryptingSink(sink, encryptTo);
  const open = sink;
  const licenses = [];
  const restricted = [];
  const digest = await withSink(open, async () => {
    await packLicenses({
      ...input,
      sink: open,
      record: (entry) => licenses.push(entry),
      restrict: (entry) => restricted.push(entry),
      ...signal ? { signal } : {}
    });
    await open.write(TAR_END);
    return open.close();
  });
  emit({ type: "PROGRESS", operation: "backup", phase: "commit", done: 0, total: 1 });
  throwIfAborted(signal, "backup");
  const manifest = {
    format: FORMAT,
    created: (/* @__PURE__ */ new Date()).toISOString(),
    tool: { name: TOOL.name, version: TOOL.version },
    source: { store: input.store, machine: await readMachineId(input.store) },
    pattern: input.pattern,
    encryption: encryptTo ? { scheme: "age", recipients: encryptTo } : null,
    pack: { file: packFile, sha256: digest.sha256, size: digest.size },
    licenses,
    restricted,
    counts: {
      licenses: licenses.length,
      restricted: restricted.length,
      bytes: licenses.reduce((sum, license) => sum + license.size, 0)
    }
  };
  await writeManifest(buildDir, manifest);
  return {
    manifest,
    backedUp: licenses.length,
    restricted,
    files: [packFile, MANIFEST_FILE],
    packSize: digest.size
  };
}
async function writeV2(input, options, signingKey) {
  const { buildDir, encryptTo, emit, signal } = input;
  const compression = options.compression ?? "gzip";
  const pack = await openPackV2(buildDir, { compression, ...encryptTo ? { encryptTo } : {} });
  const licenses = new LicensesDigest();
  const spool = IndexSpool.open(buildDir, "restricted", compression === "gzip");
  const { restricted, digest } = await withSink(pack.sink, async () => {
    await packLicenses({
      ...input,
      sink: pack.sink,
      record: (entry) => licenses.add(entry),
      restrict: (entry) => spool.add(restrictedIndexLine(entry, spool.lines === 0)),
      ...signal ? { signal } : {}
    });
    const index = {
      licenses: licenses.summary(),
      restricted: { ...await spool.finish(), read: () => spool.read() }
    };
    const digest2 = await pack.finish(index);
    const restricted2 = JSON.parse(`[${spool.text()}]`);
    return { restricted: restricted2, digest: digest2 };
  }).finally(async () => spool.remove());
  emit({ type: "PROGRESS", operation: "backup", phase: "commit", done: 0, total: 1 });
  throwIfAborted(signal, "backup");
  const manifest = {
    format: FORMAT_V2_1,
    created: (/* @__PURE__ */ new Date()).toISOString(),
    tool: { name: TOOL.name, version: TOOL.version },
    origin: options.origin ?? defaultOrigin(),
    pattern: input.pattern,
    encryption: encryptTo ? { scheme: "age", recipients: encryptTo } : null,
    compression,
    pack: { file: pack.file, sha256: digest.sha256, size: digest.size, tar_size: digest.tarSize },
    counts: { licenses: licenses.count, restricted: restricted.length }
  };
  const names = await writeManifestV2(buildDir, manifest, signingKey);
  return {
    manifest,
    backedUp: licenses.count,
    restricted,
    files: [pack.file, ...names],
    packSize: digest.size
  };
}
async function packLicenses(input) {
  const { store, total, sink, verifier, catalog, emit, signal } = input;
  const ids = new FingerprintSet(total);
  const keyIds = /* @__PURE__ */ new Map();
  const keyIdOf = (keyId) => {
    const known = keyIds.get(keyId);
    if (known !== void 0) return known;
    if (keyIds.size < MAX_SHARED_KEY_IDS) keyIds.set(keyId, keyId);
    return keyId;
  };
  let run = Buffer.allocUnsafe(RUN_CAPACITY);
  let runBytes = 0;
  const writeRun = async () => {
    if (runBytes === 0) return;
    const data = run.subarray(0, runBytes);
    run = Buffer.allocUnsafe(RUN_CAPACITY);
    runBytes = 0;
    await sink.write(data);
    await new Promise((resolve3) => setImmediate(resolve3));
  };
  const batches = readLicenseBatches({
    store,
    paths: input.paths(),
    keys: verifier.verifying ? verifier.keys : void 0,
    threads: readThreads(input),
    ...input.internals.fileSystem ? { fileSystem: input.internals.fileSystem } : {}
  });
  let index = 0;
  let turned = 0;
  for await (const batch of batches) {
    throwIfAborted(signal, "backup");
    for (let i = 0; i < batch.paths.length; i++, index++) {
      const file = batch.paths[i];
      const license = readLicense(input, file, batch.records[i]);
      if (!ids.add(license.jti)) checkUniqueId(input, license, file, index);
      const detail = {
        operation: "backup",
        licenseId: license.jti,
        keyId: license.keyId,
        path: file
      };
      if (license.restricted) {
        const title = catalog.get(license.keyId);
        input.restrict({
          jti: license.jti,
          key_id: keyIdOf(license.keyId),
          ...title === void 0 ? {} : { title }
        });
        emit({
          type: "RESTRICTED_LICENSE",
          keyId: license.keyId,
          licenseId: license.jti,
          path: file,
          ...title === void 0 ? {} : { title }
        });
        emit({ type: "LICENSE", ...detail, outcome: "restricted" });
      } else {
        const start = batch.spans[2 * i];
        const bytes = batch.bytes.subarray(start, start + batch.spans[2 * i + 1]);
        let end = writeTarMember(run, runBytes, file, bytes);
        if (end < 0) {
          await writeRun();
          const size = tarMemberSize(file, bytes.length);
          if (size > run.length) run = Buffer.allocUnsafe(size);
          end = writeTarMember(run, 0, file, bytes);
        }
        runBytes = end;
        if (runBytes >= WRITE_RUN) await writeRun();
        input.record({
          jti: license.jti,
          key_id: keyIdOf(license.keyId),
          path: file,
          sha256: license.sha256,
          size: bytes.length
        });
        emit({ type: "LICENSE", ...detail, outcome: "backed-up" });
      }
      const done = index + 1;
      if (done % PROGRESS_EVERY === 0) {
        emit({ type: "PROGRESS", operation: "backup", phase: "read", done, total: Math.max(total, done) });
      }
    }
    if (index - turned >= YIELD_EVERY) {
      turned = index;
      await new Promise((resolve3) => setImmediate(resolve3));
    }
  }
  if (index % PROGRESS_EVERY !== 0) {
    emit({ type: "PROGRESS", operation: "backup", phase: "read", done: index, total: index });
  }
  await writeRun();
  throwIfAborted(signal, "backup");
}
function readThreads(input) {
  if (input.internals.readThreads !== void 0) return input.internals.readThreads;
  if (input.internals.fileSystem || input.total <= READ_ON_THIS_THREAD) return 0;
  const cores = availableParallelism();
  return input.verifier.verifying ? cores : Math.max(1, cores - 1);
}
function readLicense(input, file, record) {
  if ("sha256" in record) return record;
  if ("problem" in record) throw invalidLicense(file, record.problem, record);
  if (record.failure === "signature") return throwError(input.verifier.failure({ file, ...record }));
  return throwError(readError(input.store, file, record));
}
function throwError(error) {
  throw error;
}
function checkUniqueId(input, license, file, index) {
  let earlier = 0;
  for (const other of input.paths()) {
    if (earlier++ >= index) return;
    let jti;
    try {
      jti = parseLicense(
        readLicenseFileSync(input.store, other, input.internals.fileSystem).toString("utf8"),
        other
      ).jti;
    } catch {
      continue;
    }
    if (jti !== license.jti) continue;
    throw invalidLicense(
      file,
      `its license ID is also the license ID of ${other}; a license ID is unique within a store. Keep one of the two files`,
      { keyId: license.keyId, licenseId: license.jti }
    );
  }
}
export {
  PROGRESS_EVERY,
  backup
};
