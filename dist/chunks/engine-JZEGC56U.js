import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  COMPRESSIONS,
  DEFAULT_PATTERN,
  ENCRYPTED_PACK_FILE,
  ERROR_CODES,
  FORMAT,
  FORMAT_V2,
  INDEX_MEMBER,
  InputFileError,
  LICENSE_ALGORITHMS,
  LicenseBackupError,
  MANIFEST_FILE,
  MAX_BATCH,
  MAX_LICENSE_BYTES,
  NAMESPACE,
  NOT_AUTHENTICATED_WARNING,
  PACK_FILE,
  PACK_FILES_V2,
  SIGNATURE_FILE,
  STATE_DIR,
  ServiceClient,
  ServiceLink,
  TAR_END,
  announceBackup,
  asEngineError,
  calculateJwkThumbprint,
  cancelled,
  capitalized,
  checkRecipients,
  compactVerify,
  compileGlob,
  compressingSink,
  crashPoint,
  decryptAge,
  defaultOrigin,
  describeOrigin,
  emitter,
  encryptingSink,
  errnoOf,
  fileIO,
  findSigner,
  fingerprint,
  foldsCase,
  fsyncDir,
  fsyncFile,
  importJWK,
  indexChunks,
  internalError,
  invalidLicense,
  isAtomicTemp,
  isLicenseBackupError,
  isStateDirName,
  listed,
  nameKey,
  openBackup,
  option,
  packFileV2,
  parseAllowedSigners,
  parseAnyManifest,
  parseIndex,
  parseLicense,
  parseManifest,
  parseManifestV2,
  parseSignature,
  parseSigningKey,
  pathProblem,
  readInputFile,
  readLicenseFileSync,
  readTar,
  refusalCode,
  refusalError,
  refusalEvent,
  refusalMessage,
  restrictToOwner,
  restrictedLicenseMessage,
  restrictedSummaryMessage,
  serializeManifest,
  serializeManifestV2,
  signMessage,
  signatureProblem,
  tarHeader,
  tarMember,
  tarMemberSize,
  tarPadding,
  throwIfAborted,
  turnOn,
  verifyBackup,
  writeAll,
  writeAllSync,
  writeFileAtomic,
  writeManifest,
  writeTarMember
} from "./chunk-ANITKGKK.js";
import "./chunk-HANBNIMK.js";

// src/engine/backup/backup.ts
import { hash } from "node:crypto";
import { rm } from "node:fs/promises";
import { join as join9, resolve as resolve2 } from "node:path";

// src/engine/catalog/catalog.ts
import { extname } from "node:path";

// src/engine/catalog/csv.ts
var CsvSyntaxError = class extends Error {
  constructor(line, message) {
    super(message);
    this.line = line;
  }
  line;
};
function parseCsv(text) {
  const records = [];
  let line = 1;
  let i = text.charCodeAt(0) === 65279 ? 1 : 0;
  while (i < text.length) {
    const start = line;
    const fields = [];
    let atRecordEnd = false;
    while (!atRecordEnd) {
      let field = "";
      if (text[i] === '"') {
        i++;
        for (; ; ) {
          if (i >= text.length) throw new CsvSyntaxError(start, "a quoted field is not closed");
          const char = text[i];
          if (char === '"') {
            if (text[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            i++;
            break;
          }
          if (char === "\n") line++;
          field += char;
          i++;
        }
        const next = text[i];
        if (next !== void 0 && next !== "," && next !== "\n" && next !== "\r") {
          throw new CsvSyntaxError(line, "text follows a closing quote; put the whole field in quotes");
        }
      } else {
        while (i < text.length && text[i] !== "," && text[i] !== "\n" && text[i] !== "\r") {
          if (text[i] === '"')
            throw new CsvSyntaxError(
              line,
              "a quote inside an unquoted field; quote the field and double the quote"
            );
          field += text[i];
          i++;
        }
      }
      fields.push(field);
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "\r") i++;
      if (text[i] === "\n") {
        i++;
        line++;
      }
      atRecordEnd = true;
    }
    if (fields.length === 1 && fields[0] === "") continue;
    records.push({ line: start, fields });
  }
  return records;
}

// src/engine/catalog/catalog.ts
async function loadCatalog(file) {
  let text;
  try {
    text = await readInputFile(file);
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The catalog ${file} ${error.reason}; check ${option("catalog")}.`,
      { file, cause: error }
    );
  }
  return parseCatalog(text, file);
}
function parseCatalog(text, file) {
  const extension = extname(file).toLowerCase();
  const json = extension === ".json" || extension !== ".csv" && /^\uFEFF?\s*[[{]/.test(text);
  return json ? parseJsonCatalog(text, file) : parseCsvCatalog(text, file);
}
function parseCsvCatalog(text, file) {
  let records;
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvSyntaxError) throw bad(file, error.line, error.message);
    throw error;
  }
  const [header, ...rows] = records;
  if (!header) throw bad(file, 1, 'the file is empty; the first line must be the header "key_id,title"');
  const [first, second] = header.fields.map((field) => field.trim().toLowerCase());
  if (first !== "key_id" || second !== "title") {
    throw bad(file, header.line, 'the header row must start with "key_id,title"');
  }
  const catalog = /* @__PURE__ */ new Map();
  const lines = /* @__PURE__ */ new Map();
  for (const row of rows) {
    const [keyId, title] = row.fields;
    if (title === void 0) throw bad(file, row.line, "the row has no title column");
    if (keyId === void 0 || keyId.trim() === "") throw bad(file, row.line, "the key_id is empty");
    add(catalog, lines, keyId.trim(), title.trim(), file, `line ${row.line}`, row.line);
  }
  return catalog;
}
function parseJsonCatalog(text, file) {
  let value;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw bad(file, jsonErrorLine(text, error), `it is not valid JSON (${error.message})`);
  }
  const catalog = /* @__PURE__ */ new Map();
  const seen = /* @__PURE__ */ new Map();
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const where = `item ${index + 1}`;
      const keyId = item?.key_id;
      const title = item?.title;
      if (typeof keyId !== "string" || keyId.trim() === "" || typeof title !== "string") {
        throw badAt(
          file,
          `${where}${lineHint(text, keyId)}`,
          'each item must be {"key_id": "...", "title": "..."} with strings'
        );
      }
      add(catalog, seen, keyId.trim(), title.trim(), file, where, index + 1);
    });
    return catalog;
  }
  if (typeof value === "object" && value !== null) {
    for (const [keyId, title] of Object.entries(value)) {
      const where = `key ${JSON.stringify(keyId)}${lineHint(text, keyId)}`;
      if (typeof title !== "string" || keyId.trim() === "")
        throw badAt(file, where, "each value must be a title string");
      add(catalog, seen, keyId.trim(), title.trim(), file, where, 0);
    }
    return catalog;
  }
  throw badAt(file, "line 1", "it must be an object {key_id: title} or an array of {key_id, title}");
}
function add(catalog, seen, keyId, title, file, where, position) {
  const existing = catalog.get(keyId);
  if (existing !== void 0 && existing !== title) {
    throw badAt(
      file,
      where,
      `key ID ${keyId} already has the title ${JSON.stringify(existing)} (${describeFirst(seen.get(keyId))}); keep one`
    );
  }
  catalog.set(keyId, title);
  if (!seen.has(keyId)) seen.set(keyId, position);
}
function describeFirst(position) {
  return position ? `first given at line/item ${position}` : "given earlier";
}
function lineHint(text, value) {
  if (typeof value !== "string" || value === "") return "";
  const at = text.indexOf(JSON.stringify(value));
  return at < 0 ? "" : ` (line ${lineOf(text, at)})`;
}
function jsonErrorLine(text, error) {
  const message = error.message;
  const lineMatch = /line (\d+)/.exec(message);
  if (lineMatch) return Number(lineMatch[1]);
  const positionMatch = /position (\d+)/.exec(message);
  return positionMatch ? lineOf(text, Number(positionMatch[1])) : 1;
}
function lineOf(text, index) {
  let line = 1;
  for (let i = 0; i < index && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
function bad(file, line, problem) {
  return badAt(file, `line ${line}`, problem);
}
function badAt(file, where, problem) {
  return new LicenseBackupError(
    "CONFIG_INVALID",
    `The catalog ${file}, ${where}: ${problem}. Fix the catalog or remove ${option("catalog")}.`,
    {
      file
    }
  );
}

// src/engine/format/pack-sink.ts
import { createHash } from "node:crypto";
var FLUSH_AT = 1024 * 1024;
async function openFileSink(file) {
  const handle = await fileIO().open(file, "wx", 420);
  crashPoint("backup:pack-opened");
  const hash2 = createHash("sha256");
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
      hash2.update(bytes);
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
      return { sha256: hash2.digest("hex"), size };
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
  if (options.compression === "gzip") sink = compressingSink(sink);
  const below = sink;
  let tarSize = 0;
  const counting = {
    write: async (chunk) => {
      tarSize += chunk.byteLength;
      await below.write(chunk);
    },
    close: () => below.close(),
    abort: () => below.abort()
  };
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
  let size = 0;
  for (const piece of indexChunks(index)) size += Buffer.byteLength(piece);
  await sink.write(tarHeader(INDEX_MEMBER, size));
  for (const piece of indexChunks(index)) await sink.write(Buffer.from(piece));
  await sink.write(tarPadding(size));
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

// src/engine/verify-pool/pool.ts
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
var ALGORITHMS = ["Ed25519", "EdDSA", "ES256"];
var WORKER_URL = new URL(
  import.meta.url.endsWith(".ts") ? "./verify-worker.ts" : "./verify-worker.js",
  import.meta.url
);
var BATCH = 128;
var WORKER_LIMITS = { maxYoungGenerationSizeMb: 4, maxOldGenerationSizeMb: 64 };
var emptyBatch = () => ({ meta: [], text: "", waiters: [] });
var VerifyPool = class {
  workers;
  inflight = /* @__PURE__ */ new Map();
  load;
  pending = emptyBatch();
  /** The slot of each key ID the workers know, in the order of `kids` given to them. */
  slots = /* @__PURE__ */ new Map();
  nextId = 0;
  failure;
  constructor(keys, threads = Math.max(1, availableParallelism())) {
    for (const key of keys) {
      if (typeof key.kid === "string" && !this.slots.has(key.kid)) this.slots.set(key.kid, this.slots.size);
    }
    const kids = [...this.slots.keys()];
    this.workers = Array.from({ length: threads }, () => this.spawn(keys, kids));
    this.load = this.workers.map(() => 0);
  }
  /** Resolves true when the signature is valid for the key `kid` and the algorithm `alg`. */
  verify(check) {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve3, reject) => {
      const pending = this.pending;
      const code = ALGORITHMS.indexOf(check.alg);
      pending.meta.push(
        this.slots.get(check.kid) ?? -1,
        code < 0 ? ALGORITHMS.length : code,
        check.signingInput.length,
        check.signature.length
      );
      pending.text += check.signingInput + check.signature;
      pending.waiters.push({ resolve: resolve3, reject });
      if (pending.waiters.length >= BATCH) this.flush();
      else if (pending.waiters.length === 1) setImmediate(() => this.flush());
    });
  }
  async close() {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
  flush() {
    if (this.pending.waiters.length === 0) return;
    const { meta, text, waiters } = this.pending;
    this.pending = emptyBatch();
    if (this.failure) {
      for (const waiter of waiters) waiter.reject(this.failure);
      return;
    }
    const id = this.nextId++;
    const index = this.load.indexOf(Math.min(...this.load));
    this.load[index] = (this.load[index] ?? 0) + waiters.length;
    this.inflight.set(id, waiters);
    const packed = new Int32Array(meta);
    this.workers[index]?.postMessage({ id, meta: packed, text }, [packed.buffer]);
  }
  spawn(keys, kids) {
    const workerData = { verifyPool: true, keys, kids, algorithms: ALGORITHMS };
    const worker = new Worker(WORKER_URL, { workerData, resourceLimits: WORKER_LIMITS });
    worker.unref();
    worker.on("message", ({ id, results }) => {
      const waiters = this.inflight.get(id);
      this.inflight.delete(id);
      const index = this.workers.indexOf(worker);
      this.load[index] = (this.load[index] ?? 0) - results.length;
      results.forEach((ok, i) => waiters?.[i]?.resolve(ok === 1));
    });
    worker.on("error", (error) => {
      this.failure = error;
      for (const waiters of this.inflight.values()) for (const waiter of waiters) waiter.reject(error);
      this.inflight.clear();
    });
    return worker;
  }
};

// src/engine/licenses/verifier.ts
var NOT_VERIFIED_WARNING = `Licenses are not verified: no trust source is configured (give ${option("trust")} a JWKS file, a JWKS URL or the service's URL to verify every license before it is backed up or restored).`;
async function createVerifier(trust, options = {}) {
  const loaded = await loadJwks(trust, options);
  if (!loaded) return { verifying: false, source: void 0, verify: async () => {
  }, close: async () => {
  } };
  return keySetVerifier(
    loaded.jwks,
    loaded.source,
    options.pooled ? new VerifyPool(loaded.jwks.keys) : void 0
  );
}
function keySetVerifier(jwks, source, pool) {
  const imported = /* @__PURE__ */ new Map();
  const keyFor = (license) => {
    const { kid, alg } = license.header;
    const cacheKey = `${kid}\0${alg}`;
    const known = imported.get(cacheKey);
    if (known) return known;
    const jwk = jwks.keys.find((key2) => key2.kid === kid);
    if (!jwk) {
      throw invalidLicense(
        license.file,
        `it is signed with key ${JSON.stringify(kid)}, which ${source} does not hold; check the trust source is the issuer's`,
        ids(license)
      );
    }
    if (!keyFits(jwk, alg)) {
      throw invalidLicense(
        license.file,
        `its alg ${alg} does not match key ${JSON.stringify(kid)} in ${source} (kty ${String(jwk.kty)}, crv ${String(jwk.crv)}, alg ${String(jwk.alg)})`,
        ids(license)
      );
    }
    const { alg: _alg, ...bare } = jwk;
    const key = importJWK(bare, alg);
    key.catch(() => {
    });
    imported.set(cacheKey, key);
    return key;
  };
  const badSignature = (license, cause) => invalidLicense(
    license.file,
    `its signature does not verify with key ${JSON.stringify(license.header.kid)} from ${source}`,
    ids(license),
    cause
  );
  return {
    verifying: true,
    source,
    close: async () => pool?.close(),
    verify: async (license) => {
      const key = keyFor(license);
      if (pool) {
        const { signingInput, signature } = splitCompact(license.text);
        const ok = await pool.verify({
          kid: license.header.kid,
          alg: license.header.alg,
          signingInput,
          signature
        });
        if (!ok) throw badSignature(license);
        return;
      }
      try {
        await compactVerify(license.text, await key, { algorithms: [license.header.alg] });
      } catch (error) {
        throw badSignature(license, error);
      }
    }
  };
}
function splitCompact(text) {
  const dot = text.lastIndexOf(".");
  return { signingInput: text.slice(0, dot), signature: text.slice(dot + 1) };
}
function keyFits(jwk, alg) {
  const okp = jwk.kty === "OKP" && jwk.crv === "Ed25519";
  const ec = jwk.kty === "EC" && jwk.crv === "P-256";
  if (alg === "ES256") return ec && (jwk.alg === void 0 || jwk.alg === "ES256");
  return okp && (jwk.alg === void 0 || jwk.alg === "Ed25519" || jwk.alg === "EdDSA");
}
function ids(license) {
  return { keyId: license.keyId, licenseId: license.jti };
}
async function loadJwks(trust, options) {
  if (trust?.jwksFile) {
    const file = trust.jwksFile;
    let text2;
    try {
      text2 = await readInputFile(file);
    } catch (error) {
      if (!(error instanceof InputFileError)) throw error;
      throw new LicenseBackupError(
        "CONFIG_INVALID",
        `The trust JWKS file ${file} ${error.reason}; check ${option("trust.jwksFile")}.`,
        { file, cause: error }
      );
    }
    return { jwks: checkJwks(text2, file, "file"), source: file };
  }
  const url = trust?.jwksUrl ?? (trust?.serviceUrl ? jwksUrlOf(trust.serviceUrl) : void 0);
  if (!url) return void 0;
  const text = await fetchText(url, options);
  return { jwks: checkJwks(text, url, "url"), source: url };
}
function jwksUrlOf(serviceUrl) {
  return `${serviceUrl.replace(/\/+$/, "")}/.well-known/jwks.json`;
}
async function fetchText(url, options) {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 1e4);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response;
  try {
    response = await fetch(url, { signal, headers: { accept: "application/json" } });
  } catch (error) {
    if (options.signal?.aborted) throw cancelled(options.operation ?? "run");
    const why = timeout.aborted ? "timed out" : "failed";
    throw new LicenseBackupError(
      "SERVICE_UNAVAILABLE",
      `Fetching the trust JWKS from ${url} ${why}; check the URL and that the service is reachable, then run again.`,
      { url, cause: error }
    );
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new LicenseBackupError(
      response.status >= 500 ? "SERVICE_UNAVAILABLE" : "CONFIG_INVALID",
      `Fetching the trust JWKS from ${url} answered HTTP ${response.status}; check the trust URL.`,
      { url }
    );
  }
  return response.text();
}
function checkJwks(text, where, kind) {
  const bad2 = (why) => new LicenseBackupError(
    "CONFIG_INVALID",
    `The trust JWKS ${where} ${why}; it must be a JSON Web Key Set {"keys": [...]}.`,
    {
      ...kind === "file" ? { file: where } : { url: where }
    }
  );
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad2("is not JSON");
  }
  if (typeof value !== "object" || value === null || !Array.isArray(value.keys)) {
    throw bad2('has no "keys" array');
  }
  const keys = value.keys;
  if (keys.some((key) => typeof key !== "object" || key === null || Array.isArray(key)))
    throw bad2("has a key that is not an object");
  return { keys };
}

// src/engine/store/lock.ts
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { basename, dirname, join as join3 } from "node:path";
var LOCK_FILE = "lock";
var BACKUP_LOCK_SUFFIX = ".lb-lock";
var STALE_AFTER_MS = 30 * 6e4;
var REFRESH_EVERY_MS = 5 * 6e4;
async function acquireStoreLock(store, operation, options = {}) {
  const dir = join3(store, STATE_DIR);
  const createdDir = await ensureDir(dir);
  try {
    const lock = await acquireLock(
      { subject: `The store ${store}`, file: join3(dir, LOCK_FILE) },
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
      if (age > (options.unreadableGraceMs ?? 1e4)) {
        await takeOver(file, void 0, options);
        continue;
      }
      throw busy(guarded, void 0, age);
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
    await io.unlink(join3(dirname(file), name)).catch(() => {
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
    await new Promise((resolve3) => setTimeout(resolve3, 20));
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
import { join as join4 } from "node:path";
var MACHINE_FILE = "machine.json";
function machineIdentityFile(storeDir) {
  return join4(storeDir, STATE_DIR, MACHINE_FILE);
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
    await io.mkdir(join4(storeDir, STATE_DIR), { recursive: true, mode: 448 });
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
    await fsyncDir(join4(storeDir, STATE_DIR));
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
  const dir = join4(storeDir, STATE_DIR);
  let names;
  try {
    names = await io.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^machine\.json\.tmp-(\d+)-/.exec(name)?.[1];
    if (pid === void 0 || Number(pid) === process.pid || processAlive(Number(pid))) continue;
    await io.unlink(join4(dir, name)).catch(() => void 0);
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

// src/engine/store/walk.ts
import { readdirSync } from "node:fs";
import { stat } from "node:fs/promises";
import { join as join5 } from "node:path";
var YIELD_EVERY_FOLDERS = 64;
async function listLicenseFiles(store, pattern = DEFAULT_PATTERN, signal) {
  await checkStoreDir(store);
  const matcher = compileGlob(pattern);
  const found = [];
  let folders = 0;
  const walk = async (relativeDir) => {
    if (signal?.aborted) return;
    const entries = readdirSync(relativeDir === "" ? store : join5(store, relativeDir), {
      withFileTypes: true
    });
    if (++folders % YIELD_EVERY_FOLDERS === 0) await new Promise((resolve3) => setImmediate(resolve3));
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

// package.json
var package_default = { version: "0.1.0" };

// src/engine/version.ts
var TOOL = { name: "license-backup", version: package_default.version };

// src/engine/restore/commit.ts
import { existsSync, lstatSync } from "node:fs";
import { setImmediate as nextTurn } from "node:timers/promises";
import { basename as basename2, dirname as dirname2, join as join6 } from "node:path";
var RESTORE_DIR = join6(STATE_DIR, "restore");
function restoreDirs(store) {
  const root = join6(store, RESTORE_DIR);
  return { root, staging: join6(root, "staging"), journal: join6(root, "journal.json") };
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
      const target = join6(staging, file.path);
      const parent = dirname2(target);
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
  const journal = {
    id: `${process.pid}-${Date.now().toString(36)}`,
    paths,
    ...removed.length > 0 ? { removed } : {}
  };
  try {
    await fileIO().mkdir(dirs.root, { recursive: true });
    if (paths.length > 0) await syncAll(dirs.staging, () => paths.map((path) => join6(dirs.staging, path)));
    crashPoint("restore:before-journal");
    await writeFileAtomic(dirs.journal, JSON.stringify(journal), { crashLabel: "restore:journal" });
  } catch (error) {
    if (!await exists(dirs.journal)) throw stagingError(store, dirs.journal, error);
    throw unfinishedError(store, dirs.journal, error);
  }
  crashPoint("restore:after-journal");
  return rollForward(store, journal, warn);
}
async function recoverRestore(store, warn) {
  const dirs = restoreDirs(store);
  const io = fileIO();
  const journal = await readJournal(dirs.journal);
  if (journal) {
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
  for (const name of temps) await io.rm(join6(root, name), { force: true });
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
      const staged = join6(dirs.staging, path);
      const target = join6(store, path);
      current = target;
      if (!existsSync(staged)) continue;
      const parent = dirname2(target);
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
    await syncAll(store, () => journal.paths.filter((_, i) => moved[i] === 1).map((path) => join6(store, path)));
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
    const info = lstatSync(join6(store, folder), { throwIfNoEntry: false });
    if (info === void 0) return void 0;
    if (!info.isDirectory()) return folder;
  }
  return void 0;
}
function leftOutMessage(store, leftOut) {
  const shown = leftOut.slice(0, 5).map(({ path, blocker }) => `${JSON.stringify(path)} (in the way: ${JSON.stringify(blocker)})`);
  const more = leftOut.length > shown.length ? ` and ${leftOut.length - shown.length} more` : "";
  return `${leftOut.length} restored license(s) could not be moved into the store ${store}, which has a folder where the license goes or a file or link where its folder goes: ${shown.join(", ")}${more}. They were left out; the rest of the restore is complete. Move what is in the way out of the store and run the restore again to bring them back.`;
}
var MOVES_PER_TURN = 1024;
async function removeAll(store, removed) {
  if (removed.length === 0) return;
  const io = fileIO();
  for (const path of removed) {
    await io.rm(join6(store, path), { force: true });
    crashPoint("release:remove");
  }
  for (const parent of new Set(removed.map((path) => dirname2(join6(store, path))))) await fsyncDir(parent);
}
async function syncAll(dir, files) {
  if (await fileIO().syncFileSystem(dir)) return;
  const dirs = /* @__PURE__ */ new Set();
  for (const file of files()) {
    await fsyncFile(file);
    dirs.add(dirname2(file));
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
function codeOf(error) {
  return error.code ?? error.message;
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
async function readJournal(file) {
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
  const journal = JSON.parse(text);
  return journal;
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

// src/engine/backup/folder.ts
import { randomBytes as randomBytes2 } from "node:crypto";
import { basename as basename3, dirname as dirname3, join as join7 } from "node:path";
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
    throw ioError3(path, error);
  }
  if (info.isSymbolicLink()) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The backup path ${path} is a symbolic link; give the real folder's path.`,
      { file: path }
    );
  }
  if (!info.isDirectory()) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The backup path ${path} is a file, not a folder; choose a folder path.`,
      { file: path }
    );
  }
  if (await hasValidManifest(path)) return { kind: "backup" };
  const names = (await fileIO().readdir(path)).sort();
  if (names.length === 0) return { kind: "replaceable" };
  const foreign = names.filter((name) => !BACKUP_NAMES.has(name));
  if (overwrite && foreign.length === 0) return { kind: "replaceable" };
  throw notABackup(path, names, foreign.length === 0);
}
function notABackup(path, names, onlyBackupNames) {
  const listed2 = names.slice(0, 5).join(", ") + (names.length > 5 ? `, \u2026 (${names.length} in all)` : "");
  const why = names.includes(MANIFEST_FILE) ? `its ${MANIFEST_FILE} is not a license-backup manifest` : `it has no ${MANIFEST_FILE}`;
  const fix = onlyBackupNames ? `if it is a damaged backup you want replaced, ${turnOn("overwrite")}; else choose an empty or new folder` : "choose an empty or new folder, so nothing of yours is replaced";
  return new LicenseBackupError(
    "CONFIG_INVALID",
    `The backup path ${path} is a folder that is not a backup (${why}); it holds ${listed2}. Nothing was written: ${fix}.`,
    { file: path }
  );
}
var FULL_CHECK_BYTES = 1024 * 1024;
var HEAD_BYTES = 64 * 1024;
var TAIL_BYTES = 1024;
async function hasValidManifest(path) {
  const file = join7(path, MANIFEST_FILE);
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
  const handle = await fileIO().open(join7(path, MANIFEST_FILE), "r");
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
  const pack = await fileIO().lstat(join7(path, found[1]));
  return pack.isFile() && pack.size === Number(found[2]);
}
async function readText(handle, position, length) {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.toString("utf8", 0, bytesRead);
}
async function sweepLeftovers(path) {
  const io = fileIO();
  const parent = dirname3(path);
  const base = basename3(path);
  let names;
  try {
    names = await io.readdir(parent);
  } catch (error) {
    if (error.code === "ENOENT") return;
    throw ioError3(parent, error);
  }
  const olds = names.filter((name) => name.startsWith(base + OLD_MARK)).sort();
  const news = names.filter((name) => name.startsWith(base + NEW_MARK));
  if (olds.length > 0 && (await inspectTarget(path).catch(() => void 0))?.kind === "absent") {
    for (const old of olds) {
      if (await hasValidManifest(join7(parent, old))) {
        await io.rename(join7(parent, old), path);
        await fsyncDir(parent);
        crashPoint("backup:sweep-put-back");
        break;
      }
    }
  }
  for (const name of [...olds, ...news]) {
    await io.rm(join7(parent, name), { recursive: true, force: true });
    crashPoint("backup:sweep-removed");
  }
}
async function makeBuildDir(path) {
  await fileIO().mkdir(dirname3(path), { recursive: true });
  const dir = `${path}${NEW_MARK}${randomBytes2(6).toString("hex")}`;
  await fileIO().mkdir(dir);
  crashPoint("backup:build-dir");
  return dir;
}
async function commitBuildDir(built, path, target) {
  const io = fileIO();
  const parent = dirname3(path);
  if (target.kind === "absent") {
    await io.rename(built, path);
    crashPoint("backup:renamed-in");
    await placed(path, () => fsyncDir(parent));
    return;
  }
  const parked = `${path}${OLD_MARK}${randomBytes2(6).toString("hex")}`;
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
        `The new backup at ${path} is in place, but flushing it to disk or removing the old one failed (${code}); run the backup again to be sure it survives a power cut (the next run also removes what is left of the old one).`,
        { file: path, cause: error }
      )
    );
  }
}
function ioError3(path, error) {
  return asEngineError(
    error,
    (code) => new LicenseBackupError(
      "IO_ERROR",
      `The backup path ${path} cannot be used (${code}); check the folder and its permissions.`,
      { file: path, cause: error }
    )
  );
}

// src/engine/backup/paths.ts
import { realpath } from "node:fs/promises";
import { basename as basename4, dirname as dirname4, join as join8, posix, resolve, win32 } from "node:path";
async function checkPathsApart(store, backupPath) {
  const realStore = await realpath(store);
  const realBackup = await realpathOfMaybeMissing(backupPath);
  if (isWithin(realBackup, realStore)) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The backup path ${backupPath} is inside the store ${store}; a backup must be written outside the store. Choose a path outside it.`,
      { file: backupPath }
    );
  }
  if (isWithin(realStore, realBackup)) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The backup path ${backupPath} holds the store ${store}; writing the backup there would replace the store. Choose a path outside it.`,
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
      return join8(await realpath(current), ...missing.reverse());
    } catch {
      const parent = dirname4(current);
      if (parent === current) return absolute;
      missing.push(basename4(current));
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
var READ_AHEAD = 512;
var WRITE_RUN = 64 * 1024;
var RUN_CAPACITY = WRITE_RUN + 16 * 1024;
var YIELD_EVERY = 128;
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
      `The backup at ${options.path} is to be written as ${FORMAT}, which has no compression or signature; remove them or write ${FORMAT_V2}.`,
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
  try {
    await recoverRestore(store, (message) => emit({ type: "WARNING", message }));
    await sweepLeftovers(path);
    const target = await inspectTarget(path, options.overwrite);
    if (target.kind === "backup" && !options.overwrite) {
      throw new LicenseBackupError(
        "BACKUP_EXISTS",
        `A backup already exists at ${options.path}, and ${option("overwrite")} is off; ${turnOn("overwrite")} to replace it, or choose another path.`,
        { file: options.path }
      );
    }
    emit({ type: "BEGIN", operation: "backup" });
    if (!verifier.verifying) emit({ type: "WARNING", message: NOT_VERIFIED_WARNING });
    throwIfAborted(signal, "backup");
    const files = await listLicenseFiles(store, pattern, signal);
    throwIfAborted(signal, "backup");
    if (files.length === 0) {
      throw new LicenseBackupError(
        "STORE_INVALID",
        `The store ${store} holds no licenses (no file matches ${pattern}); check ${option("store")} and ${option("pattern")}.`,
        { file: store }
      );
    }
    emit({ type: "PROGRESS", operation: "backup", phase: "scan", done: files.length, total: files.length });
    buildDir = await makeBuildDir(path);
    const write = { store, files, catalog, verifier, emit, internals, signal, buildDir, encryptTo, pattern };
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
        `Writing the backup at ${options.path} failed (${code}); check the folder, its permissions and free space. Any earlier backup there is intact.`,
        { file: options.path, cause: error }
      ),
      "Any earlier backup there is intact."
    );
  } finally {
    if (buildDir) await rm(buildDir, { recursive: true, force: true });
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
  let sink = await openFileSink(join9(buildDir, packFile));
  if (encryptTo) sink = await encryptingSink(sink, encryptTo);
  const open = sink;
  const { packed, digest } = await withSink(open, async () => {
    const packed2 = await packLicenses({ ...input, sink: open, ...signal ? { signal } : {} });
    await open.write(TAR_END);
    return { packed: packed2, digest: await open.close() };
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
    licenses: packed.licenses,
    restricted: packed.restricted,
    counts: {
      licenses: packed.licenses.length,
      restricted: packed.restricted.length,
      bytes: packed.licenses.reduce((sum, license) => sum + license.size, 0)
    }
  };
  await writeManifest(buildDir, manifest);
  return {
    manifest,
    backedUp: packed.licenses.length,
    restricted: packed.restricted,
    files: [packFile, MANIFEST_FILE],
    packSize: digest.size
  };
}
async function writeV2(input, options, signingKey) {
  const { buildDir, encryptTo, emit, signal } = input;
  const compression = options.compression ?? "gzip";
  const pack = await openPackV2(buildDir, { compression, ...encryptTo ? { encryptTo } : {} });
  const { packed, digest } = await withSink(pack.sink, async () => {
    const packed2 = await packLicenses({ ...input, sink: pack.sink, ...signal ? { signal } : {} });
    return { packed: packed2, digest: await pack.finish(packed2) };
  });
  emit({ type: "PROGRESS", operation: "backup", phase: "commit", done: 0, total: 1 });
  throwIfAborted(signal, "backup");
  const manifest = {
    format: FORMAT_V2,
    created: (/* @__PURE__ */ new Date()).toISOString(),
    tool: { name: TOOL.name, version: TOOL.version },
    origin: options.origin ?? defaultOrigin(),
    pattern: input.pattern,
    encryption: encryptTo ? { scheme: "age", recipients: encryptTo } : null,
    compression,
    pack: { file: pack.file, sha256: digest.sha256, size: digest.size, tar_size: digest.tarSize },
    counts: { licenses: packed.licenses.length, restricted: packed.restricted.length }
  };
  const names = await writeManifestV2(buildDir, manifest, signingKey);
  return {
    manifest,
    backedUp: packed.licenses.length,
    restricted: packed.restricted,
    files: [pack.file, ...names],
    packSize: digest.size
  };
}
async function packLicenses(input) {
  const { store, files, sink, verifier, catalog, emit, signal } = input;
  const licenses = [];
  const restricted = [];
  const seen = /* @__PURE__ */ new Map();
  const keyIds = /* @__PURE__ */ new Map();
  const keyIdOf = (keyId) => {
    const known = keyIds.get(keyId);
    if (known !== void 0) return known;
    if (keyIds.size < MAX_SHARED_KEY_IDS) keyIds.set(keyId, keyId);
    return keyId;
  };
  const queue = [];
  let next = 0;
  const readAndParse = (file) => {
    const bytes = readLicenseFileSync(store, file, input.internals.fileSystem);
    return { bytes, license: parseLicense(bytes.toString("utf8"), file) };
  };
  const prepare = (file) => {
    try {
      const prepared = readAndParse(file);
      return verifier.verify(prepared.license).then(() => prepared);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  let run = Buffer.allocUnsafe(RUN_CAPACITY);
  let runBytes = 0;
  const writeRun = async () => {
    if (runBytes === 0) return;
    const data = run.subarray(0, runBytes);
    run = Buffer.allocUnsafe(RUN_CAPACITY);
    runBytes = 0;
    await sink.write(data);
  };
  try {
    for (let index = 0; index < files.length; index++) {
      throwIfAborted(signal, "backup");
      if (verifier.verifying && queue.length <= READ_AHEAD / 2) {
        for (; next < files.length && queue.length < READ_AHEAD; next++) {
          const prepared = prepare(files[next]);
          prepared.catch(() => {
          });
          queue.push(prepared);
        }
      }
      if (index % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve3) => setImmediate(resolve3));
      const file = files[index];
      const { bytes, license } = verifier.verifying ? await queue.shift() : readAndParse(file);
      const other = seen.get(license.jti);
      if (other !== void 0) {
        throw invalidLicense(
          file,
          `its license ID is also the license ID of ${other}; a license ID is unique within a store. Keep one of the two files`,
          { keyId: license.keyId, licenseId: license.jti }
        );
      }
      seen.set(license.jti, file);
      const detail = {
        operation: "backup",
        licenseId: license.jti,
        keyId: license.keyId,
        path: file
      };
      if (license.restricted) {
        const title = catalog.get(license.keyId);
        restricted.push({
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
        let end = writeTarMember(run, runBytes, file, bytes);
        if (end < 0) {
          await writeRun();
          const size = tarMemberSize(file, bytes.length);
          if (size > run.length) run = Buffer.allocUnsafe(size);
          end = writeTarMember(run, 0, file, bytes);
        }
        runBytes = end;
        if (runBytes >= WRITE_RUN) await writeRun();
        licenses.push({
          jti: license.jti,
          key_id: keyIdOf(license.keyId),
          path: file,
          sha256: hash("sha256", bytes, "hex"),
          size: bytes.length
        });
        emit({ type: "LICENSE", ...detail, outcome: "backed-up" });
      }
      const done = index + 1;
      if (done % PROGRESS_EVERY === 0 || done === files.length) {
        emit({ type: "PROGRESS", operation: "backup", phase: "read", done, total: files.length });
      }
    }
    await writeRun();
  } finally {
    await Promise.allSettled(queue);
  }
  throwIfAborted(signal, "backup");
  return { licenses, restricted };
}

// src/engine/store/include.ts
function includeFilter(include) {
  if (!include || include.length === 0) return () => true;
  const ids2 = new Set(include);
  const globs = include.filter(isPattern).map(compileGlob);
  return ({ jti, keyId, path }) => ids2.has(jti) || ids2.has(keyId) || globs.some((glob) => glob.test(path));
}
function isPattern(entry) {
  return /[/*?]/.test(entry) || entry.endsWith(".jwt");
}

// src/engine/slots/machine-key.ts
import { createPrivateKey as createPrivateKey2, createPublicKey as createPublicKey2 } from "node:crypto";
async function parseMachineKey(text) {
  const trimmed = text.trim();
  const privateKey = trimmed.startsWith("{") ? fromJwk(trimmed) : fromOpenSsh(trimmed);
  const x = createPublicKey2(privateKey).export({ format: "jwk" }).x;
  const publicJwk = { kty: "OKP", crv: "Ed25519", x };
  return { id: await machineIdOf(publicJwk), publicJwk, privateKey };
}
function fromJwk(text) {
  let jwk;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw invalid2("it starts like a JWK but is not JSON");
  }
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519") throw invalid2("the JWK is not an Ed25519 (OKP) key");
  if (typeof jwk.d !== "string") throw invalid2("the JWK has no private part (d)");
  try {
    const key = createPrivateKey2({
      key: { kty: "OKP", crv: "Ed25519", d: jwk.d, x: jwk.x ?? "" },
      format: "jwk"
    });
    if (jwk.x !== void 0 && createPublicKey2(key).export({ format: "jwk" }).x !== jwk.x) {
      throw invalid2("its public part (x) does not match its private part (d)");
    }
    return key;
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error;
    throw invalid2("the JWK does not load as an Ed25519 private key");
  }
}
var OPENSSH = /^-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]+?)-----END OPENSSH PRIVATE KEY-----$/;
var MAGIC = "openssh-key-v1\0";
function fromOpenSsh(text) {
  const body = OPENSSH.exec(text)?.[1];
  if (body === void 0) {
    throw invalid2('it is neither an Ed25519 private JWK ({"kty": "OKP", \u2026}) nor an OpenSSH private key');
  }
  const data = Buffer.from(body.replace(/\s+/g, ""), "base64");
  if (data.subarray(0, MAGIC.length).toString("latin1") !== MAGIC)
    throw invalid2("it is not an openssh-key-v1 key");
  const reader = new SshReader(data, MAGIC.length);
  const cipher = reader.string().toString();
  reader.string();
  reader.string();
  if (cipher !== "none") {
    throw invalid2('the OpenSSH key is encrypted with a passphrase; give it without one (ssh-keygen -p -N "")');
  }
  if (reader.uint32() !== 1) throw invalid2("the OpenSSH file must hold exactly one key");
  reader.string();
  const secret = new SshReader(reader.string(), 0);
  if (secret.uint32() !== secret.uint32()) throw invalid2("the OpenSSH key is damaged (check bytes differ)");
  const type = secret.string().toString();
  if (type !== "ssh-ed25519") throw invalid2(`the OpenSSH key is ${type}, not ssh-ed25519`);
  const pub = secret.string();
  const priv = secret.string();
  if (pub.length !== 32 || priv.length !== 64) throw invalid2("the OpenSSH ed25519 key has the wrong length");
  return createPrivateKey2({
    key: {
      kty: "OKP",
      crv: "Ed25519",
      d: priv.subarray(0, 32).toString("base64url"),
      x: pub.toString("base64url")
    },
    format: "jwk"
  });
}
var SshReader = class {
  constructor(data, at) {
    this.data = data;
    this.at = at;
  }
  data;
  at;
  uint32() {
    if (this.at + 4 > this.data.length) throw invalid2("the OpenSSH key is truncated");
    const value = this.data.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }
  string() {
    const length = this.uint32();
    if (this.at + length > this.data.length) throw invalid2("the OpenSSH key is truncated");
    const value = this.data.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }
};
function invalid2(why) {
  return new LicenseBackupError(
    "CONFIG_INVALID",
    `The machine key in ${option("machineKey")} cannot be used: ${why}. Give an Ed25519 private key as a JWK or as an OpenSSH private key (ssh-keygen -t ed25519).`
  );
}

// src/engine/slots/machine.ts
async function machineOf(store, machineKey) {
  const own = await loadMachineIdentity(store);
  if (machineKey === void 0) return own;
  const given = await parseMachineKey(machineKey);
  if (own && own.id !== given.id) {
    throw new LicenseBackupError(
      "STORE_INVALID",
      `The store ${store} belongs to machine ${own.id} (${machineIdentityFile(store)}), but the machine key in ${option("machineKey")} is machine ${given.id}. Use that machine's key, or a store of this machine.`,
      { file: machineIdentityFile(store) }
    );
  }
  return given;
}

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
    const held2 = await boundLicenses(store, pattern, machine.id, options.include, signal);
    if (held2.length === 0) return { machineId: machine.id, released: 0, notHeld: 0, licenses: [] };
    const statuses = await releaseAtService(options, machine, held2, emit, signal);
    crashPoint("release:service-released");
    emit({ type: "BEGIN", operation: "release" });
    await commitStaged(
      store,
      [],
      void 0,
      held2.map((l) => l.path)
    );
    emit({ type: "END", operation: "release" });
    const released = held2.filter((l) => statuses.get(l.jti) === "released").length;
    return { machineId: machine.id, released, notHeld: held2.length - released, licenses: held2 };
  } finally {
    await lock.release();
  }
}
async function releaseAtService(options, machine, held2, emit, signal) {
  const link = new ServiceLink({ service: options.service, machine, individualize: false, emit, signal });
  let statuses;
  try {
    statuses = await link.release(held2.map((l) => l.jti));
  } finally {
    await link.close();
  }
  if (!statuses) {
    throw new LicenseBackupError(
      "SERVICE_ERROR",
      `The license service at ${options.service.url} speaks protocol v1 and cannot take licenses back; nothing was removed from ${options.store}. ${held2.length} license(s) keep their slot: ${listed(held2.map((l) => l.jti))}.`,
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

// src/engine/restore/restore.ts
import { randomUUID as randomUUID2 } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { lstatSync as lstatSync2, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join as join11 } from "node:path";

// src/engine/restore/targets.ts
import { readdirSync as readdirSync2 } from "node:fs";
import { join as join10 } from "node:path";
function checkTargets(store, licenses) {
  const listings = /* @__PURE__ */ new Map();
  const list = (folder) => {
    let listing = listings.get(folder);
    if (listing === void 0) {
      listing = readListing(join10(store, folder));
      listings.set(folder, listing);
    }
    return listing;
  };
  const held2 = /* @__PURE__ */ new Set();
  for (const license of licenses) {
    if (holdsSameLicense(store, license, list)) held2.add(license.path);
  }
  return held2;
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
  let held2;
  try {
    held2 = parseLicense(readLicenseFileSync(store, path).toString("utf8"), path);
  } catch {
    throw clash(store, license, path, "a file that is not a license where the license goes");
  }
  if (held2.jti === license.jti) return;
  throw new LicenseBackupError(
    "STORE_INVALID",
    `The store ${store} holds license ${held2.jti} at ${JSON.stringify(path)}, where the backup's license ${license.jti} goes; a restore never replaces another license. Nothing was restored; move ${join10(store, path)} out of the store (or restore into another store), then run the restore again.`,
    { file: path, licenseId: held2.jti, keyId: held2.keyId }
  );
}
function readListing(dir) {
  const byName = /* @__PURE__ */ new Map();
  const byKey = /* @__PURE__ */ new Map();
  for (const entry of readdirSync2(dir, { withFileTypes: true })) {
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
    `The backup's license ${JSON.stringify(license.path)} (license ID ${license.jti}) cannot be restored into the store ${store}: the store has ${JSON.stringify(path)} there, ${what}. Nothing was restored; move ${join10(store, path)} out of the way (or restore into another store), then run the restore again.`,
    { file: path, licenseId: license.jti, keyId: license.key_id }
  );
}

// src/engine/restore/restore.ts
async function restore(options, control, emit) {
  const signal = control.signal;
  throwIfAborted(signal, "restore");
  const store = options.store;
  const opened = await openBackup(options.path, options).catch((error) => {
    throw asRestoreError(error, options.path);
  });
  announceBackup(opened, options, emit);
  const catalog = options.catalog ? await loadCatalog(options.catalog) : /* @__PURE__ */ new Map();
  const trust = options.trust && Object.keys(options.trust).length > 0 ? options.trust : { serviceUrl: options.service.url };
  const verifier = await createVerifier(trust, {
    ...signal ? { signal } : {},
    operation: "restore",
    pooled: true
  });
  try {
    await mkdir(store, { recursive: true });
    const lock = await acquireStoreLock(store, "restore");
    try {
      const warn = (message) => emit({ type: "WARNING", message });
      await recoverRestore(store, warn);
      const given = options.machineKey === void 0 ? void 0 : await machineOf(store, options.machineKey);
      if (!given && options.individualize !== true) await ensureMachineIdentity(store, false);
      const backup2 = await verifyBackup(options.path, {
        opened,
        verifier,
        ...options.identity ? { identity: options.identity } : {},
        ...options.pattern === void 0 ? {} : { pattern: options.pattern },
        ...signal ? { signal } : {},
        onProgress: (done, total) => emit({ type: "PROGRESS", operation: "restore", phase: "verify", done, total })
      });
      const held2 = checkTargets(store, backup2.entries);
      const identity = given ?? await ensureMachineIdentity(store, options.individualize === true);
      return await exchangeAndCommit({
        options,
        store,
        backup: backup2,
        held: held2,
        identity,
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
  const link = new ServiceLink({
    service: options.service,
    machine: context.identity,
    individualize: options.individualize === true,
    emit,
    signal
  });
  try {
    const outcome = await exchange(context, staging, link);
    throwIfAborted(signal, "restore");
    emit({ type: "BEGIN", operation: "restore" });
    emit({ type: "PROGRESS", operation: "restore", phase: "commit", done: 0, total: staging.paths.length });
    const leftOut = await commitStaged(store, staging.paths, (message) => emit({ type: "WARNING", message }));
    emit({
      type: "PROGRESS",
      operation: "restore",
      phase: "commit",
      done: staging.paths.length,
      total: staging.paths.length
    });
    emit({ type: "END", operation: "restore" });
    return { machineId: context.identity.id, restored: staging.paths.length - leftOut, ...outcome };
  } catch (error) {
    if (!await isCommitted(store).catch(() => true)) await link.giveBack();
    throw error;
  } finally {
    await dropStaging(store);
  }
}
async function exchange(context, staging, link) {
  const skipping = context.options.onRefused === "skip";
  let plan;
  let restored = { refused: [], licenses: [] };
  try {
    plan = await previewAll(context, link);
    if (plan.refused.length === 0 || skipping) restored = await restoreAll(context, staging, link, plan.send);
  } finally {
    await link.close();
  }
  const refused = [...plan.refused, ...restored.refused];
  if (refused.length > 0 && !skipping) failWith(context, refused);
  for (const refusal of refused) warnRefused(context, refusal);
  return {
    unchanged: plan.unchanged,
    skipped: [...plan.skipped, ...refused.map((r) => ({ ...skippedOf(r), ...titled(context, r.key_id) }))],
    licenses: restored.licenses
  };
}
async function previewAll(context, link) {
  const { options, backup: backup2, emit, signal } = context;
  const include = includeFilter(options.include);
  const plan = { send: /* @__PURE__ */ new Map(), unchanged: 0, skipped: [], refused: [] };
  const refused = [];
  const total = backup2.entries.length;
  let seen = 0;
  let batch = [];
  const previewBatch = async () => {
    const asked = batch;
    batch = [];
    const outcomes = await link.preview(asked);
    for (const [index, license] of asked.entries()) {
      const outcome = outcomes?.[index];
      if (outcome?.status !== "refused") {
        plan.send.set(license.jti, outcome?.status ?? "would-restore");
        continue;
      }
      refused.push(outcome);
      emit({
        ...licenseEvent(license.jti, license.key_id, license.path),
        outcome: "refused",
        reason: outcome.reason
      });
    }
    emit({ type: "PROGRESS", operation: "restore", phase: "preview", done: seen, total });
  };
  for await (const { entry, license } of backup2.licenses(signal)) {
    seen++;
    if (!include({ jti: license.jti, keyId: license.keyId, path: entry.path })) continue;
    const detail = licenseEvent(license.jti, license.keyId, entry.path);
    if (isExpired(license)) {
      plan.skipped.push({
        jti: license.jti,
        key_id: license.keyId,
        reason: "expired",
        ...titled(context, license.keyId)
      });
      emit({ ...detail, outcome: "skipped", reason: "expired" });
      continue;
    }
    if (await holdsAlready(context, entry.path, license)) {
      plan.unchanged++;
      emit({ ...detail, outcome: "unchanged" });
      continue;
    }
    batch.push({
      jti: license.jti,
      key_id: license.keyId,
      rights: license.claims.rights,
      jws: license.text,
      path: entry.path
    });
    if (batch.length >= MAX_BATCH) await previewBatch();
  }
  if (batch.length > 0) await previewBatch();
  plan.refused = refused;
  return plan;
}
async function restoreAll(context, staging, link, send) {
  const { backup: backup2, emit, signal } = context;
  const refused = [];
  const licenses = [];
  if (send.size === 0) return { refused, licenses };
  let batch = [];
  let inFlight;
  const dropped = new AbortController();
  let sent = 0;
  const checkLicense = returnedLicenseCheck(context);
  const sendBatch = async () => {
    const { client, session } = await link.open();
    const results = client.restoreBatch(session, batch, checkLicense, randomUUID2(), dropped.signal);
    results.catch(() => {
    });
    const previous = inFlight;
    inFlight = { batch, results };
    batch = [];
    if (previous) await land(previous);
  };
  const land = async ({ batch: asked, results: answer }) => {
    const results = await answer;
    for (const [index, result] of results.entries()) {
      const path = asked[index].path;
      const detail = licenseEvent(result.jti, result.key_id, path);
      if (result.status === "refused") {
        refused.push(result);
        emit({ ...detail, outcome: "refused", reason: result.reason });
        continue;
      }
      if (send.get(result.jti) === "would-restore") link.taken.push(result.jti);
      staging.add({ path, data: Buffer.from(result.license) });
      licenses.push({ jti: result.jti, key_id: result.key_id, path });
      emit({ ...detail, outcome: "restored" });
    }
    sent += asked.length;
    emit({ type: "PROGRESS", operation: "restore", phase: "exchange", done: sent, total: send.size });
  };
  try {
    for await (const { entry, license } of backup2.licenses(signal)) {
      if (!send.has(license.jti)) continue;
      batch.push({
        jti: license.jti,
        key_id: license.keyId,
        rights: license.claims.rights,
        jws: license.text,
        path: entry.path
      });
      if (batch.length >= MAX_BATCH) await sendBatch();
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
  return { refused, licenses };
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
  const message = refusalMessage(refusal, context.catalog.get(refusal.key_id));
  context.emit({ type: "WARNING", message: `Left out, as ${option("onRefused")} says skip: ${message}` });
}
function licenseEvent(licenseId, keyId, path) {
  return { type: "LICENSE", operation: "restore", licenseId, keyId, path };
}
function returnedLicenseCheck(context) {
  return async (jws, expected) => {
    const where = `the license ${expected.jti} returned by ${context.options.service.url}`;
    const license = parseLicense(jws, where);
    const problems = [];
    if (license.jti !== expected.jti) problems.push(`its license ID is ${license.jti}`);
    if (license.keyId !== expected.key_id)
      problems.push(`its key ID is ${license.keyId}, not ${expected.key_id}`);
    if (!isDeepStrictEqual(license.claims.rights, expected.rights))
      problems.push("its rights differ from the backed-up license");
    if (license.claims.cnf?.jkt !== expected.machineId)
      problems.push("it is not bound to this machine (cnf.jkt)");
    if (problems.length > 0) {
      throw new LicenseBackupError(
        "SERVICE_ERROR",
        `The license service answered with a wrong license for ${expected.jti}: ${problems.join("; ")}. Nothing was restored; report this to the service's operator.`,
        { url: context.options.service.url, licenseId: expected.jti, keyId: expected.key_id }
      );
    }
    await context.verifier.verify(license);
  };
}
async function holdsAlready(context, path, wanted) {
  if (!context.held.has(path)) return false;
  const file = join11(context.store, path);
  try {
    const info = lstatSync2(file, { throwIfNoEntry: false });
    if (!info?.isFile()) return false;
    const held2 = parseLicense(readFileSync(file, "utf8"), path);
    if (held2.jti !== wanted.jti || held2.claims.cnf?.jkt !== context.identity.id) return false;
    await context.verifier.verify(held2);
    return true;
  } catch {
    return false;
  }
}
function isExpired(license) {
  const exp = license.claims.exp;
  return typeof exp === "number" && exp * 1e3 <= Date.now();
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
      `Restoring from ${path} failed (${code}); check the store folder, its permissions and free space. The store is as it was.`,
      { file: path, cause: error }
    )
  );
}

// src/engine/verify/verify.ts
async function verify(options, control, emit) {
  const signal = control.signal;
  throwIfAborted(signal, "verify");
  const opened = await openBackup(options.path, options);
  emit({ type: "BEGIN", operation: "verify" });
  announceBackup(opened, options, emit);
  if (options.catalog) await loadCatalog(options.catalog);
  const verifier = await createVerifier(options.trust, {
    ...signal ? { signal } : {},
    operation: "verify",
    pooled: true
  });
  try {
    if (!verifier.verifying) emit({ type: "WARNING", message: NOT_VERIFIED_WARNING });
    const backup2 = await verifyBackup(options.path, {
      opened,
      verifier,
      ...options.identity ? { identity: options.identity } : {},
      ...signal ? { signal } : {},
      onProgress: (done, total) => emit({ type: "PROGRESS", operation: "verify", phase: "verify", done, total })
    });
    throwIfAborted(signal, "verify");
    emit({
      type: "PROGRESS",
      operation: "verify",
      phase: "verify",
      done: backup2.entries.length,
      total: backup2.entries.length
    });
    emit({ type: "END", operation: "verify" });
    return {
      format: opened.manifest.format,
      verified: backup2.entries.length,
      restricted: backup2.restricted,
      signaturesChecked: verifier.verifying,
      ...opened.signer ? { signer: opened.signer } : {},
      ...opened.origin ? { origin: opened.origin } : {},
      packSize: opened.manifest.pack.size
    };
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error;
    if (error instanceof DOMException && error.name === "AbortError")
      throw new LicenseBackupError("CANCELLED", "The verify was cancelled.");
    const code = error.code ?? error.message;
    throw new LicenseBackupError(
      "IO_ERROR",
      `Reading the backup at ${options.path} failed (${code}); check the folder and its permissions.`,
      {
        file: options.path,
        cause: error
      }
    );
  } finally {
    await verifier.close();
  }
}

// src/engine/index.ts
function createBackupRestorer(listener) {
  const emit = emitter(listener);
  return {
    backup: (options, control = {}) => backup(options, control, emit),
    restore: (options, control = {}) => restore(options, control, emit),
    verify: (options, control = {}) => verify(options, control, emit),
    release: (options, control = {}) => release(options, control, emit)
  };
}
export {
  COMPRESSIONS,
  DEFAULT_PATTERN,
  ENCRYPTED_PACK_FILE,
  ERROR_CODES,
  FORMAT,
  FORMAT_V2,
  INDEX_MEMBER,
  LICENSE_ALGORITHMS,
  LicenseBackupError,
  MACHINE_FILE,
  MANIFEST_FILE,
  MAX_BATCH,
  MAX_LICENSE_BYTES,
  NAMESPACE,
  NOT_AUTHENTICATED_WARNING,
  NOT_VERIFIED_WARNING,
  PACK_FILE,
  PACK_FILES_V2,
  SIGNATURE_FILE,
  STATE_DIR,
  ServiceClient,
  TAR_END,
  TOOL,
  acquireStoreLock,
  asEngineError,
  cancelled,
  checkRecipients,
  checkStoreDir,
  compileGlob,
  createBackupRestorer,
  createMachineIdentity,
  createVerifier,
  decryptAge,
  describeOrigin,
  emitter,
  ensureMachineIdentity,
  errnoOf,
  findSigner,
  fingerprint,
  internalError,
  invalidLicense,
  isLicenseBackupError,
  isStateDirName,
  jwksUrlOf,
  keySetVerifier,
  listLicenseFiles,
  loadCatalog,
  loadMachineIdentity,
  machineIdOf,
  machineIdentityFile,
  nameKey,
  openBackup,
  packFileV2,
  parseAllowedSigners,
  parseCatalog,
  parseIndex,
  parseLicense,
  parseMachineKey,
  parseManifest,
  parseManifestV2,
  parseSignature,
  parseSigningKey,
  pathProblem,
  readLicenseFileSync,
  readMachineId,
  readTar,
  recoverRestore,
  refusalCode,
  refusalError,
  refusalEvent,
  refusalMessage,
  restrictedLicenseMessage,
  restrictedSummaryMessage,
  serializeManifest,
  serializeManifestV2,
  signMessage,
  signatureProblem,
  tarMember,
  throwIfAborted,
  verifyBackup,
  writeManifest
};
