import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  FORMAT,
  FORMAT_V2,
  InputFileError,
  MANIFEST_FILE,
  checkSchema,
  corruptBackup,
  parseManifestV2,
  readInputFile
} from "./chunk-ZINHRU5H.js";
import {
  crashPoint,
  invalidLicense,
  writeFileAtomic
} from "./chunk-VRSCSSGD.js";
import {
  LicenseBackupError,
  cancelled,
  compactVerify,
  compileGlob,
  importJWK,
  option
} from "./chunk-EC2RGYBU.js";

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

// src/engine/format/manifest-io.ts
import { join } from "node:path";
var CHUNK_CHARS = 64 * 1024;
function* manifestChunks(manifest) {
  const head = {
    format: manifest.format,
    created: manifest.created,
    tool: { name: manifest.tool.name, version: manifest.tool.version },
    source: { store: manifest.source.store, machine: manifest.source.machine },
    ...manifest.pattern === void 0 ? {} : { pattern: manifest.pattern },
    encryption: manifest.encryption === null ? null : { scheme: manifest.encryption.scheme, recipients: [...manifest.encryption.recipients] },
    pack: { file: manifest.pack.file, sha256: manifest.pack.sha256, size: manifest.pack.size }
  };
  const headText = JSON.stringify(head, null, 2).slice(0, -2);
  yield* listChunks(`${headText},
  "licenses": `, manifest.licenses, licenseText);
  yield* listChunks(',\n  "restricted": ', manifest.restricted, restrictedText);
  const counts = {
    licenses: manifest.counts.licenses,
    restricted: manifest.counts.restricted,
    bytes: manifest.counts.bytes
  };
  yield `,
  "counts": ${indent(JSON.stringify(counts, null, 2))}
}
`;
}
function* listChunks(prefix, entries, entryText) {
  if (entries.length === 0) {
    yield `${prefix}[]`;
    return;
  }
  let text = `${prefix}[
`;
  for (let i = 0; i < entries.length; i++) {
    text += (i === 0 ? "" : ",\n") + entryText(entries[i]);
    if (text.length >= CHUNK_CHARS) {
      yield text;
      text = "";
    }
  }
  yield `${text}
  ]`;
}
function licenseText(license) {
  return `    {
      "jti": ${JSON.stringify(license.jti)},
      "key_id": ${JSON.stringify(license.key_id)},
      "path": ${JSON.stringify(license.path)},
      "sha256": ${JSON.stringify(license.sha256)},
      "size": ${JSON.stringify(license.size)}
    }`;
}
function restrictedText(entry) {
  const title = entry.title === void 0 ? "" : `,
      "title": ${JSON.stringify(entry.title)}`;
  return `    {
      "jti": ${JSON.stringify(entry.jti)},
      "key_id": ${JSON.stringify(entry.key_id)}${title}
    }`;
}
function indent(json) {
  return json.replace(/\n/g, "\n  ");
}
async function writeManifest(dir, manifest) {
  await writeFileAtomic(join(dir, MANIFEST_FILE), manifestChunks(manifest), {
    crashLabel: "backup:manifest"
  });
  crashPoint("backup:manifest-written");
}
function parseManifest(text, file) {
  const what = `${FORMAT} manifest`;
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw corruptBackup(file, what, "it is not JSON");
  }
  checkSchema(value, "v1", what, file);
  const manifest = value;
  if (manifest.pattern !== void 0 && !isPattern(manifest.pattern))
    throw corruptBackup(file, what, "pattern is not a store pattern");
  if (manifest.counts.licenses !== manifest.licenses.length)
    throw corruptBackup(file, what, "counts.licenses does not match the licenses listed");
  if (manifest.counts.restricted !== manifest.restricted.length)
    throw corruptBackup(file, what, "counts.restricted does not match the restricted listed");
  const bytes = manifest.licenses.reduce((sum, license) => sum + license.size, 0);
  if (manifest.counts.bytes !== bytes)
    throw corruptBackup(file, what, "counts.bytes does not match the sizes listed");
  return manifest;
}
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function isPattern(value) {
  try {
    compileGlob(value);
    return true;
  } catch {
    return false;
  }
}

// src/engine/format/tar-writer.ts
var BLOCK = 512;
var TAR_END = Buffer.alloc(2 * BLOCK);
var PAX_NAME = "PaxHeaders/member";
var TYPE_FILE = 48;
var TYPE_PAX = 120;
var TEMPLATE = (() => {
  const block = Buffer.alloc(BLOCK);
  block.write("0000644\0", 100, "ascii");
  block.write("0000000\0", 108, "ascii");
  block.write("0000000\0", 116, "ascii");
  block.write("00000000000\0", 136, "ascii");
  block.fill(32, 148, 156);
  block.write("ustar\x0000", 257, "ascii");
  block.write("0000000\0", 329, "ascii");
  block.write("0000000\0", 337, "ascii");
  return block;
})();
var TEMPLATE_SUM = TEMPLATE.reduce((sum, byte) => sum + byte, 0);
function tarMemberSize(name, size) {
  const layout = memberLayout(name);
  const paxBytes = layout.pax === void 0 ? 0 : BLOCK + padded(layout.pax.length);
  return paxBytes + BLOCK + padded(size);
}
function writeTarMember(target, offset, name, data) {
  const layout = memberLayout(name);
  const paxBytes = layout.pax === void 0 ? 0 : BLOCK + padded(layout.pax.length);
  if (offset + paxBytes + BLOCK + padded(data.length) > target.length) return -1;
  let at = offset;
  if (layout.pax !== void 0) {
    writeHeader(target, at, PAX_NAME, "", layout.pax.length, TYPE_PAX);
    at = writePadded(target, at + BLOCK, layout.pax);
  }
  writeHeader(target, at, layout.name, layout.prefix, data.length, TYPE_FILE);
  return writePadded(target, at + BLOCK, data);
}
function memberLayout(name) {
  if (PRINTABLE.test(name)) {
    if (name.length <= 100) return { name, prefix: "", pax: void 0 };
    for (let slash = name.indexOf("/"); slash >= 0; slash = name.indexOf("/", slash + 1)) {
      const prefix = name.slice(0, slash);
      const rest = name.slice(slash + 1);
      if (prefix.length <= 155 && rest.length > 0 && rest.length <= 100) {
        return { name: rest, prefix, pax: void 0 };
      }
    }
  }
  return { name: asciiFallback(name), prefix: "", pax: paxRecord("path", name) };
}
var PRINTABLE = /^[\x20-\x7e]+$/;
function asciiFallback(name) {
  const base = name.slice(name.lastIndexOf("/") + 1).replace(/[^\x20-\x7e]/g, "_");
  return base.slice(-100) || "member";
}
function paxRecord(key, value) {
  const body = ` ${key}=${value}
`;
  const bodyLength = Buffer.byteLength(body);
  let length = bodyLength + 1;
  while (String(length).length + bodyLength !== length) length = String(length).length + bodyLength;
  return Buffer.from(`${length}${body}`);
}
function writeHeader(target, at, name, prefix, size, type) {
  TEMPLATE.copy(target, at);
  let sum = TEMPLATE_SUM + type;
  sum += writeAscii(target, at, name, 100);
  sum += writeAscii(target, at + 345, prefix, 155);
  sum += writeOctal(target, at + 124, size, 12);
  target[at + 156] = type;
  writeOctal(target, at + 148, sum, 7);
}
function writeAscii(target, at, text, width) {
  const length = Math.min(text.length, width);
  let sum = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    target[at + i] = code;
    sum += code;
  }
  return sum;
}
function writeOctal(target, at, value, width) {
  const digits = width - 1;
  if (value >= 8 ** digits) throw new RangeError(`${value} does not fit a ${width}-byte tar field`);
  let sum = 0;
  let rest = value;
  for (let i = digits - 1; i >= 0; i--) {
    const code = 48 + rest % 8;
    target[at + i] = code;
    sum += code;
    rest = Math.floor(rest / 8);
  }
  target[at + digits] = 0;
  return sum;
}
function writePadded(target, at, data) {
  target.set(data, at);
  const end = at + padded(data.length);
  target.fill(0, at + data.length, end);
  return end;
}
function padded(size) {
  return Math.ceil(size / BLOCK) * BLOCK;
}
function checksum(block) {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i];
  return sum;
}
function tarHeader(name, size) {
  const layout = memberLayout(name);
  const paxBytes = layout.pax === void 0 ? 0 : BLOCK + padded(layout.pax.length);
  const target = Buffer.alloc(paxBytes + BLOCK);
  let at = 0;
  if (layout.pax !== void 0) {
    writeHeader(target, 0, PAX_NAME, "", layout.pax.length, TYPE_PAX);
    at = writePadded(target, BLOCK, layout.pax);
  }
  writeHeader(target, at, layout.name, layout.prefix, size, TYPE_FILE);
  return target;
}
function tarPadding(size) {
  return Buffer.alloc(padded(size) - size);
}

// src/engine/backup/origin.ts
import { hostname } from "node:os";
function defaultOrigin() {
  return { host: hostname() };
}
function describeOrigin(untrusted, created, now) {
  const origin = Object.fromEntries(Object.entries(untrusted).map(([key, value]) => [key, clean(value)]));
  const parts = [];
  if (origin["repository"]) parts.push(`backup of ${origin["repository"]}`);
  else if (origin["host"]) parts.push(`backup made on ${origin["host"]}`);
  else parts.push("backup of unknown origin");
  const where = [
    origin["workflow"],
    origin["ref"] ? `on ${origin["ref"]}` : void 0,
    origin["sha"] ? `at ${origin["sha"].slice(0, 7)}` : void 0
  ].filter(Boolean);
  if (where.length > 0) parts.push(where.join(" "));
  if (origin["run_id"])
    parts.push(
      `run ${origin["run_id"]}${origin["run_attempt"] && origin["run_attempt"] !== "1" ? ` (attempt ${origin["run_attempt"]})` : ""}`
    );
  parts.push(age(Date.parse(created), now));
  return parts.join(", ");
}
function age(created, now) {
  if (Number.isNaN(created)) return "of unknown age";
  const hours = Math.floor((now - created) / 36e5);
  if (hours < 0) return "dated in the future";
  if (hours < 1) return "less than an hour old";
  if (hours < 48) return `${hours} hour${hours === 1 ? "" : "s"} old`;
  return `${Math.floor(hours / 24)} days old`;
}
function clean(value) {
  return value.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, " ").replace(/##\[/g, "# #[").replace(/::/g, ": :").slice(0, 200);
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
    return new Promise((resolve, reject) => {
      const pending = this.pending;
      const code = ALGORITHMS.indexOf(check.alg);
      pending.meta.push(
        this.slots.get(check.kid) ?? -1,
        code < 0 ? ALGORITHMS.length : code,
        check.signingInput.length,
        check.signature.length
      );
      pending.text += check.signingInput + check.signature;
      pending.waiters.push({ resolve, reject });
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

// src/engine/format/gzip.ts
import { once } from "node:events";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
var GZIP_LEVEL = 6;
var OS_BYTE = 9;
var OS_UNIX = 3;
function compressingSink(inner) {
  const gzip = createGzip({ level: GZIP_LEVEL });
  let position = 0;
  const pump = (async () => {
    for await (const chunk of gzip) {
      let bytes = chunk;
      if (position <= OS_BYTE && position + bytes.length > OS_BYTE) {
        bytes = Buffer.from(bytes);
        bytes[OS_BYTE - position] = OS_UNIX;
      }
      position += bytes.length;
      await inner.write(bytes);
      crashPoint("backup:compressed-chunk");
    }
  })();
  let failed;
  pump.catch((error) => {
    failed = error;
  });
  return {
    write: async (chunk) => {
      if (failed !== void 0) throw failed;
      if (gzip.write(chunk)) return;
      await Promise.race([once(gzip, "drain"), pump]);
      if (failed !== void 0) throw failed;
    },
    close: async () => {
      gzip.end();
      await pump;
      return inner.close();
    },
    abort: async () => {
      gzip.destroy();
      await pump.catch(() => {
      });
      await inner.abort();
    }
  };
}
async function* gunzipBounded(source, maxBytes, file) {
  const gunzip = createGunzip();
  const feeding = pipeline(Readable.from(source), gunzip).catch((error) => error);
  let total = 0;
  try {
    for await (const chunk of gunzip) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new LicenseBackupError(
          "BACKUP_CORRUPT",
          `${file} decompresses to more than the ${maxBytes} bytes its manifest declares (a damaged pack or a compression bomb); reading stopped there.`,
          { file }
        );
      }
      yield chunk;
    }
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error;
    throw new LicenseBackupError(
      "BACKUP_CORRUPT",
      `${file} is not a valid gzip stream (${error.message}).`,
      { file, cause: error }
    );
  } finally {
    gunzip.destroy();
    await feeding;
  }
}

// src/engine/format/pack-index.ts
var INDEX_MEMBER = ".license-backup/index.json";
var CHUNK_CHARS2 = 64 * 1024;
function* indexChunks(index) {
  yield* entryChunks(
    '{"licenses":[',
    index.licenses,
    (l) => [l.jti, l.key_id, l.path, l.sha256, l.size],
    LICENSE_KEYS
  );
  yield* entryChunks('],\n"restricted":[', index.restricted, (r) => [r.jti, r.key_id, r.title], RESTRICTED_KEYS);
  yield "]}\n";
}
var LICENSE_KEYS = ["jti", "key_id", "path", "sha256", "size"];
var RESTRICTED_KEYS = ["jti", "key_id", "title"];
function* entryChunks(prefix, entries, values, keys) {
  let text = prefix;
  for (const [i, entry] of entries.entries()) {
    const fields = values(entry).map((value, k) => value === void 0 ? "" : `${JSON.stringify(keys[k])}:${JSON.stringify(value)}`).filter((field) => field !== "");
    text += `${i === 0 ? "\n" : ",\n"}{${fields.join(",")}}`;
    if (text.length >= CHUNK_CHARS2) {
      yield text;
      text = "";
    }
  }
  yield text;
}
function parseIndex(data, where) {
  let value;
  try {
    value = JSON.parse(data.toString("utf8"));
  } catch {
    throw corruptBackup(where, "pack index", "it is not JSON");
  }
  checkSchema(value, "index", "pack index", where);
  return value;
}

// src/engine/format/any-manifest.ts
function parseAnyManifest(text, file) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw corruptBackup(file, "license-backup manifest", "it is not JSON");
  }
  if (isObject(value) && value["format"] === FORMAT_V2)
    return { format: "v2", manifest: parseManifestV2(value, file) };
  return { format: "v1", manifest: parseManifest(text, file) };
}

export {
  loadCatalog,
  writeManifest,
  compressingSink,
  gunzipBounded,
  INDEX_MEMBER,
  indexChunks,
  parseIndex,
  BLOCK,
  TAR_END,
  tarMemberSize,
  writeTarMember,
  checksum,
  tarHeader,
  tarPadding,
  defaultOrigin,
  describeOrigin,
  NOT_VERIFIED_WARNING,
  createVerifier,
  parseAnyManifest
};
