import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/engine/errors.ts
var ERROR_CODES = [
  "BACKUP_EXISTS",
  "BACKUP_CORRUPT",
  "BUSY",
  "RESTORE_LIMIT",
  "INDIVIDUALIZATION_REQUIRED",
  "SERVICE_UNAVAILABLE",
  "UNAUTHORIZED",
  "INVALID_LICENSE",
  "CONFIG_INVALID",
  "BACKUP_UNTRUSTED",
  // Beyond the contract's ten codes; all are in docs/errors.md.
  "STORE_INVALID",
  "SERVICE_ERROR",
  "IO_ERROR",
  "CANCELLED",
  // An error that is neither the input's nor the system's: a bug in this tool (ADR 0069).
  "INTERNAL_ERROR"
];
var LicenseBackupError = class extends Error {
  code;
  details;
  constructor(code, message, details = {}) {
    const { cause, ...rest } = details;
    super(message, cause === void 0 ? void 0 : { cause });
    this.name = "LicenseBackupError";
    this.code = code;
    this.details = rest;
  }
};
function isLicenseBackupError(error) {
  return error instanceof LicenseBackupError;
}
function cancelled(operation) {
  return new LicenseBackupError("CANCELLED", `The ${operation} was cancelled; nothing was changed.`);
}
function throwIfAborted(signal, operation) {
  if (signal?.aborted) throw cancelled(operation);
}
function errnoOf(error) {
  const code = error?.code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : void 0;
}
function asEngineError(error, ioError, state) {
  if (error instanceof LicenseBackupError) return error;
  const code = errnoOf(error);
  if (code !== void 0) return ioError(code);
  return internalError(error, state);
}
function internalError(error, state) {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new LicenseBackupError(
    "INTERNAL_ERROR",
    `An unexpected error stopped the run (${what}): a bug in license-backup. Please report it with the debug log, which holds its stack.${state ? ` ${state}` : ""}`,
    { cause: error }
  );
}

// src/engine/format/manifest.ts
var FORMAT = "license-backup/v1";
var MANIFEST_FILE = "manifest.json";
var PACK_FILE = "licenses.tar";
var ENCRYPTED_PACK_FILE = "licenses.tar.age";

// src/engine/store/glob.ts
var DEFAULT_PATTERN = "**/*.jwt";
var GLOBSTAR = /* @__PURE__ */ Symbol("globstar");
var UNSUPPORTED = [
  [/[[\]]/, "character classes `[...]`"],
  [/[{}]/, "braces `{a,b}`"],
  [/^!|\/!/, "negation `!`"],
  [/[*?+@!]\(/, "extended globs such as `*(...)` or `@(...)`"],
  [/\\/, "backslashes (escapes)"]
];
function compileGlob(pattern) {
  checkPattern(pattern);
  const segments = pattern.split("/").map((segment) => {
    if (segment === "**") return GLOBSTAR;
    if (segment.includes("?")) return { kind: "wild", chars: Array.from(segment) };
    if (segment.includes("*")) return { kind: "stars", chunks: segment.split("*") };
    return { kind: "literal", text: segment };
  });
  const [first, last] = segments;
  if (segments.length === 2 && first === GLOBSTAR && last !== GLOBSTAR && last !== void 0) {
    return { pattern, test: (path) => matchName(last, path.slice(path.lastIndexOf("/") + 1)) };
  }
  return { pattern, test: (path) => matchSegments(segments, path.split("/")) };
}
function checkPattern(pattern) {
  const invalid2 = (problem) => new LicenseBackupError(
    "CONFIG_INVALID",
    `The store pattern ${JSON.stringify(pattern)} ${problem}; patterns support \`**\` (any folders), \`*\` and \`?\` only, as in "${DEFAULT_PATTERN}".`
  );
  const segments = pattern.split("/");
  if (pattern.length === 0 || pattern.startsWith("/") || segments.includes("..")) {
    throw invalid2("is not a relative pattern inside the store");
  }
  if (segments.some((segment) => segment === "" || segment === ".")) throw invalid2("has an empty or `.` folder");
  for (const [syntax, what] of UNSUPPORTED) {
    if (syntax.test(pattern)) throw invalid2(`uses ${what}, which store patterns do not support`);
  }
  if (segments.some((segment) => segment !== "**" && segment.includes("**"))) {
    throw invalid2('has `**` inside a name; `**` must be a whole folder, as in "a/**/*.jwt"');
  }
}
function matchSegments(segments, names) {
  let s = 0;
  let n = 0;
  let starSegment = -1;
  let starName = 0;
  while (n < names.length) {
    const segment = segments[s];
    if (segment === GLOBSTAR) {
      starSegment = s++;
      starName = n;
      continue;
    }
    if (segment !== void 0 && matchName(segment, names[n])) {
      s++;
      n++;
      continue;
    }
    if (starSegment < 0) return false;
    s = starSegment + 1;
    n = ++starName;
  }
  while (segments[s] === GLOBSTAR) s++;
  return s === segments.length;
}
function matchName(segment, name) {
  if (segment.kind === "literal") return segment.text === name;
  if (segment.kind === "stars") return matchStars(segment.chunks, name);
  return matchWild(segment.chars, Array.from(name));
}
function matchStars(chunks, name) {
  const head = chunks[0];
  const tail = chunks[chunks.length - 1];
  if (name.length < head.length + tail.length || !name.startsWith(head) || !name.endsWith(tail)) return false;
  let at = head.length;
  const end = name.length - tail.length;
  for (let i = 1; i < chunks.length - 1; i++) {
    const found = name.indexOf(chunks[i], at);
    if (found < 0 || found + chunks[i].length > end) return false;
    at = found + chunks[i].length;
  }
  return true;
}
function matchWild(pattern, text) {
  let p = 0;
  let t = 0;
  let starPattern = -1;
  let starText = 0;
  while (t < text.length) {
    const char = pattern[p];
    if (char === "*") {
      starPattern = p++;
      starText = t;
      continue;
    }
    if (char !== void 0 && (char === "?" || char === text[t])) {
      p++;
      t++;
      continue;
    }
    if (starPattern < 0) return false;
    p = starPattern + 1;
    t = ++starText;
  }
  while (pattern[p] === "*") p++;
  return p === pattern.length;
}

// src/engine/io/crash-points.ts
function crashPoint() {
}

// src/engine/io/durable.ts
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";

// src/engine/io/file-io.ts
import { AsyncLocalStorage } from "node:async_hooks";
import { execFile as execFile2 } from "node:child_process";
import * as fs from "node:fs/promises";
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";

// src/engine/io/platform.ts
import { execFile } from "node:child_process";
import { userInfo } from "node:os";
function canSyncDirectory(os = process.platform) {
  return os !== "win32";
}
function canSyncFileSystem(os = process.platform) {
  return os === "linux";
}
function flushOpenFlags(os = process.platform) {
  return os === "win32" ? "r+" : "r";
}
function foldsCase(os = process.platform) {
  return os === "win32" || os === "darwin";
}
function openFollowsLinks(os = process.platform) {
  return os === "win32";
}
function ownerOnlyCommand(file, os = process.platform, user = userInfo().username) {
  if (os !== "win32") return void 0;
  return { command: "icacls", args: [file, "/inheritance:r", "/grant:r", `${user}:F`] };
}
async function restrictToOwner(file, os = process.platform) {
  const restrict = ownerOnlyCommand(file, os);
  if (!restrict) return;
  await new Promise((resolve, reject) => {
    execFile(restrict.command, restrict.args, { windowsHide: true }, (error, _stdout, stderr) => {
      if (error === null) return resolve();
      const why = stderr.trim() || error.message;
      reject(
        Object.assign(new Error(`${restrict.command} could not restrict ${file} to its owner: ${why}`), {
          code: "EACCES"
        })
      );
    });
  });
}

// src/engine/io/file-io.ts
var nodeFileIO = {
  open: (path, flags, mode) => fs.open(path, flags, mode),
  readFile: (path, encoding) => fs.readFile(path, encoding),
  readdir: (path) => fs.readdir(path),
  mkdir: (path, options) => fs.mkdir(path, options),
  rename: fs.rename,
  rm: fs.rm,
  rmdir: (path) => fs.rmdir(path),
  unlink: fs.unlink,
  link: fs.link,
  lstat: (path) => fs.lstat(path),
  stat: (path) => fs.stat(path),
  utimes: (path, atime, mtime) => fs.utimes(path, atime, mtime),
  openSync: (path, flags, mode) => {
    const fd = openSync(path, flags, mode);
    return {
      write: (buffer, offset, length) => writeSync(fd, buffer, offset, length),
      close: () => closeSync(fd)
    };
  },
  mkdirSync: (path, options) => mkdirSync(path, options),
  renameSync: (from, to) => renameSync(from, to),
  syncFileSystem: (dir) => new Promise((resolve) => {
    if (!canSyncFileSystem()) return resolve(false);
    execFile2("sync", ["-f", dir], (error) => resolve(error === null));
  })
};
var current = new AsyncLocalStorage();
function fileIO() {
  return current.getStore() ?? nodeFileIO;
}
async function writeAll(handle, data) {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done);
    if (bytesWritten <= 0) {
      throw Object.assign(new Error(`write made no progress (${done} of ${data.length} bytes written)`), {
        code: "EIO"
      });
    }
    done += bytesWritten;
  }
}
function writeAllSync(handle, data) {
  let done = 0;
  while (done < data.length) {
    const written = handle.write(data, done, data.length - done);
    if (written <= 0) {
      throw Object.assign(new Error(`write made no progress (${done} of ${data.length} bytes written)`), {
        code: "EIO"
      });
    }
    done += written;
  }
}

// src/engine/io/durable.ts
async function fsyncFile(file) {
  const handle = await fileIO().open(file, flushOpenFlags());
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
async function fsyncDir(dir) {
  if (!canSyncDirectory()) return;
  const handle = await fileIO().open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
async function writeFileAtomic(file, data, options = {}) {
  const io = fileIO();
  const temp = `${file}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    const handle = await io.open(temp, "wx", options.mode ?? 420);
    try {
      if (typeof data === "string" || data instanceof Uint8Array) {
        await writeAll(handle, typeof data === "string" ? Buffer.from(data) : data);
      } else {
        for (const piece of data) await writeAll(handle, Buffer.from(piece));
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (options.crashLabel) crashPoint(`${options.crashLabel}:temp-written`);
    await io.rename(temp, file);
  } catch (error) {
    await io.rm(temp, { force: true }).catch(() => {
    });
    throw error;
  }
  if (options.crashLabel) crashPoint(`${options.crashLabel}:renamed`);
  await fsyncDir(dirname(file));
}
function isAtomicTemp(name, target) {
  return name.startsWith(`${target}.tmp-`);
}

// src/engine/format/manifest-io.ts
import { join } from "node:path";
function serializeManifest(manifest) {
  return [...manifestChunks(manifest)].join("");
}
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
  const corrupt2 = (problem) => new LicenseBackupError("BACKUP_CORRUPT", `${file} is not a valid license-backup manifest: ${problem}.`, {
    file
  });
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw corrupt2("it is not JSON");
  }
  if (!isObject(value)) throw corrupt2("it is not a JSON object");
  if (value["format"] !== FORMAT)
    throw corrupt2(`its format is ${JSON.stringify(value["format"])}, not ${FORMAT}`);
  if (typeof value["created"] !== "string") throw corrupt2("created is missing");
  const tool = value["tool"];
  if (!isObject(tool) || typeof tool["name"] !== "string" || typeof tool["version"] !== "string")
    throw corrupt2("tool is malformed");
  const source = value["source"];
  if (!isObject(source) || typeof source["store"] !== "string" || !(source["machine"] === null || typeof source["machine"] === "string")) {
    throw corrupt2("source is malformed");
  }
  const pattern = value["pattern"];
  if (pattern !== void 0 && !isPattern(pattern)) throw corrupt2("pattern is not a store pattern");
  const encryption = value["encryption"];
  if (encryption !== null) {
    if (!isObject(encryption) || encryption["scheme"] !== "age" || !stringArray(encryption["recipients"])) {
      throw corrupt2("encryption is malformed");
    }
  }
  const pack = value["pack"];
  const expectedPack = encryption === null ? PACK_FILE : ENCRYPTED_PACK_FILE;
  if (!isObject(pack) || pack["file"] !== expectedPack || !isSha256(pack["sha256"]) || !isSize(pack["size"])) {
    throw corrupt2(`pack is malformed (it must name ${expectedPack} with its sha256 and size)`);
  }
  const licenses = value["licenses"];
  if (!Array.isArray(licenses)) throw corrupt2("licenses is not a list");
  licenses.forEach((license, index) => {
    if (!isObject(license) || typeof license["jti"] !== "string" || typeof license["key_id"] !== "string" || typeof license["path"] !== "string" || !isSha256(license["sha256"]) || !isSize(license["size"])) {
      throw corrupt2(`licenses[${index}] is malformed`);
    }
  });
  const restricted = value["restricted"];
  if (!Array.isArray(restricted)) throw corrupt2("restricted is not a list");
  restricted.forEach((entry, index) => {
    if (!isObject(entry) || typeof entry["jti"] !== "string" || typeof entry["key_id"] !== "string" || entry["title"] !== void 0 && typeof entry["title"] !== "string") {
      throw corrupt2(`restricted[${index}] is malformed`);
    }
  });
  const counts = value["counts"];
  if (!isObject(counts) || !isSize(counts["licenses"]) || !isSize(counts["restricted"]) || !isSize(counts["bytes"])) {
    throw corrupt2("counts is malformed");
  }
  const typedLicenses = licenses;
  if (counts["licenses"] !== typedLicenses.length)
    throw corrupt2("counts.licenses does not match the licenses listed");
  if (counts["restricted"] !== restricted.length)
    throw corrupt2("counts.restricted does not match the restricted listed");
  const bytes = typedLicenses.reduce((sum, license) => sum + license.size, 0);
  if (counts["bytes"] !== bytes) throw corrupt2("counts.bytes does not match the sizes listed");
  return value;
}
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function isPattern(value) {
  if (typeof value !== "string") return false;
  try {
    compileGlob(value);
    return true;
  } catch {
    return false;
  }
}
function stringArray(value) {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
function isSha256(value) {
  return typeof value === "string" && /^[0-9a-f]{64}$/.test(value);
}
function isSize(value) {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

// src/engine/format/manifest-v2.ts
var FORMAT_V2 = "license-backup/v2";
var SIGNATURE_FILE = "manifest.json.sig";
var COMPRESSIONS = ["gzip", "none"];
function packFileV2(compression, encrypted) {
  return `licenses.tar${compression === "gzip" ? ".gz" : ""}${encrypted ? ".age" : ""}`;
}
var PACK_FILES_V2 = COMPRESSIONS.flatMap((c) => [packFileV2(c, false), packFileV2(c, true)]);
function serializeManifestV2(manifest) {
  const ordered = {
    format: manifest.format,
    created: manifest.created,
    tool: { name: manifest.tool.name, version: manifest.tool.version },
    origin: Object.fromEntries(Object.entries(manifest.origin)),
    pattern: manifest.pattern,
    encryption: manifest.encryption === null ? null : { scheme: manifest.encryption.scheme, recipients: [...manifest.encryption.recipients] },
    compression: manifest.compression,
    pack: {
      file: manifest.pack.file,
      sha256: manifest.pack.sha256,
      size: manifest.pack.size,
      tar_size: manifest.pack.tar_size
    },
    counts: { licenses: manifest.counts.licenses, restricted: manifest.counts.restricted }
  };
  return `${JSON.stringify(ordered, null, 2)}
`;
}
var MAX_ORIGIN_FIELDS = 32;
var MAX_ORIGIN_CHARS = 1024;
function parseManifestV2(value, file) {
  const corrupt2 = (problem) => new LicenseBackupError("BACKUP_CORRUPT", `${file} is not a valid ${FORMAT_V2} manifest: ${problem}.`, {
    file
  });
  if (value["format"] !== FORMAT_V2) throw corrupt2(`its format is not ${FORMAT_V2}`);
  if (typeof value["created"] !== "string" || Number.isNaN(Date.parse(value["created"])))
    throw corrupt2("created is missing or not a time");
  const tool = value["tool"];
  if (!isObject(tool) || typeof tool["name"] !== "string" || typeof tool["version"] !== "string")
    throw corrupt2("tool is malformed");
  const origin = value["origin"];
  if (!isObject(origin) || Object.keys(origin).length > MAX_ORIGIN_FIELDS || !Object.values(origin).every((v) => typeof v === "string" && v.length <= MAX_ORIGIN_CHARS)) {
    throw corrupt2("origin is malformed (an object of short strings)");
  }
  if (typeof value["pattern"] !== "string" || value["pattern"] === "") throw corrupt2("pattern is missing");
  const encryption = value["encryption"];
  if (encryption !== null) {
    if (!isObject(encryption) || encryption["scheme"] !== "age" || !stringArray(encryption["recipients"]))
      throw corrupt2("encryption is malformed");
  }
  const compression = value["compression"];
  if (!COMPRESSIONS.includes(compression))
    throw corrupt2(`compression is ${JSON.stringify(compression)}, not one of ${COMPRESSIONS.join(", ")}`);
  const pack = value["pack"];
  const expected = packFileV2(compression, encryption !== null);
  if (!isObject(pack) || pack["file"] !== expected || !isSha256(pack["sha256"]) || !isSize(pack["size"]) || !isSize(pack["tar_size"])) {
    throw corrupt2(`pack is malformed (it must name ${expected} with its sha256, size and tar_size)`);
  }
  const counts = value["counts"];
  if (!isObject(counts) || !isSize(counts["licenses"]) || !isSize(counts["restricted"]))
    throw corrupt2("counts is malformed");
  return value;
}

// src/engine/format/ssh/sshsig.ts
import { createHash, createPublicKey, sign, verify } from "node:crypto";

// src/engine/format/ssh/wire.ts
var WireError = class extends Error {
};
var WireReader = class {
  constructor(bytes) {
    this.bytes = bytes;
  }
  bytes;
  offset = 0;
  uint32() {
    if (this.offset + 4 > this.bytes.length) throw new WireError("it ends inside a number");
    const value = this.bytes.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }
  string() {
    const length = this.uint32();
    if (length > this.bytes.length - this.offset) throw new WireError("a field runs past its end");
    const value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  /** A string that must be printable ASCII (names of algorithms, namespaces). */
  text() {
    const value = this.string();
    if (!/^[\x20-\x7e]*$/.test(value.toString("latin1"))) throw new WireError("a name is not printable text");
    return value.toString("latin1");
  }
  bytesFixed(length) {
    if (this.offset + length > this.bytes.length) throw new WireError("it ends early");
    const value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return value;
  }
  rest() {
    const value = this.bytes.subarray(this.offset);
    this.offset = this.bytes.length;
    return value;
  }
  get done() {
    return this.offset === this.bytes.length;
  }
};
function wireString(value) {
  const bytes = typeof value === "string" ? Buffer.from(value, "latin1") : value;
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
function wireUint32(value) {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(value);
  return bytes;
}
var ED25519 = "ssh-ed25519";
function ed25519Blob(publicKey) {
  return Buffer.concat([wireString(ED25519), wireString(publicKey)]);
}
function ed25519KeyOf(blob) {
  const reader = new WireReader(blob);
  const type = reader.text();
  if (type !== ED25519) throw new WireError(`it is a ${type} key, not ${ED25519}`);
  const key = reader.string();
  if (key.length !== 32 || !reader.done) throw new WireError("its Ed25519 key is not 32 bytes");
  return key;
}

// src/engine/format/ssh/sshsig.ts
var NAMESPACE = "license-backup";
var HASH = "sha512";
var MAGIC = Buffer.from("SSHSIG", "latin1");
var VERSION = 1;
var BEGIN = "-----BEGIN SSH SIGNATURE-----";
var END = "-----END SSH SIGNATURE-----";
var MAX_SIGNATURE_BYTES = 16 * 1024;
function signedData(namespace, hash, message) {
  const digest = createHash(hash).update(message).digest();
  return Buffer.concat([MAGIC, wireString(namespace), wireString(""), wireString(hash), wireString(digest)]);
}
function signMessage(message, key) {
  const raw = sign(null, signedData(NAMESPACE, HASH, message), key.privateKey);
  const blob = Buffer.concat([
    MAGIC,
    wireUint32(VERSION),
    wireString(key.publicBlob),
    wireString(NAMESPACE),
    wireString(""),
    wireString(HASH),
    wireString(Buffer.concat([wireString(ED25519), wireString(raw)]))
  ]);
  const lines = blob.toString("base64").match(/.{1,70}/g) ?? [];
  return `${BEGIN}
${lines.join("\n")}
${END}
`;
}
function parseSignature(text) {
  const trimmed = text.replace(/\r/g, "").trim();
  if (!trimmed.startsWith(BEGIN) || !trimmed.endsWith(END))
    throw new WireError("it is not an armored SSH signature");
  const body = trimmed.slice(BEGIN.length, -END.length).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new WireError("it is not valid base64");
  const bytes = Buffer.from(body, "base64");
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new WireError("it lacks the SSHSIG magic");
  const reader = new WireReader(bytes.subarray(MAGIC.length));
  const version = reader.uint32();
  if (version !== VERSION) throw new WireError(`it is version ${version}, not ${VERSION}`);
  const publicBlob = reader.string();
  const namespace = reader.text();
  reader.string();
  const hash = reader.text();
  const wrapped = new WireReader(reader.string());
  if (!reader.done) throw new WireError("it has data after its signature");
  const type = wrapped.text();
  if (type !== ED25519) throw new WireError(`it is a ${type} signature, not ${ED25519}`);
  const signature = wrapped.string();
  if (signature.length !== 64 || !wrapped.done) throw new WireError("its Ed25519 signature is not 64 bytes");
  ed25519KeyOf(publicBlob);
  return { publicBlob, namespace, hash, signature };
}
function signatureProblem(signature, message) {
  if (signature.namespace !== NAMESPACE)
    return `it is made for the namespace ${JSON.stringify(signature.namespace)}, not ${NAMESPACE}`;
  if (signature.hash !== "sha512" && signature.hash !== "sha256")
    return `it uses the hash ${JSON.stringify(signature.hash)}, which SSHSIG does not define`;
  const key = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: ed25519KeyOf(signature.publicBlob).toString("base64url") },
    format: "jwk"
  });
  const data = signedData(signature.namespace, signature.hash, message);
  return verify(null, data, key, signature.signature) ? void 0 : "it does not match the manifest (the manifest was changed after signing, or the signature was)";
}
function fingerprint(publicBlob) {
  return `SHA256:${createHash("sha256").update(publicBlob).digest("base64").replace(/=+$/, "")}`;
}

// src/engine/options.ts
var ENGINE_OPTIONS = [
  "store",
  "pattern",
  "catalog",
  "trust",
  "trust.jwksFile",
  "overwrite",
  "encryptTo",
  "individualize",
  "identity",
  "service.url",
  "service.token",
  "signers"
];
function option(name) {
  return `the \`${name}\` option`;
}
function turnOn(name) {
  return `turn on ${option(name)}`;
}
function capitalized(phrase) {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1);
}

// src/engine/format/age.ts
var ageLibrary = () => import("./dist-LCTMS3ST.js");
async function checkRecipients(recipients) {
  if (recipients.length === 0) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `${capitalized(option("encryptTo"))} is empty; give at least one age recipient (age1\u2026) or remove it.`
    );
  }
  const { Encrypter } = await ageLibrary();
  const encrypter = new Encrypter();
  for (const recipient of recipients) {
    const bad = () => new LicenseBackupError(
      "CONFIG_INVALID",
      `${capitalized(option("encryptTo"))} holds ${JSON.stringify(recipient.slice(0, 80))}, which is not an age X25519 recipient (age1\u2026); use the public key that age-keygen printed.`
    );
    if (!/^age1[02-9ac-hj-np-z]{58}$/.test(recipient)) throw bad();
    try {
      encrypter.addRecipient(recipient);
    } catch {
      throw bad();
    }
  }
  return encrypter;
}
async function encryptingSink(inner, recipients) {
  const encrypter = await checkRecipients(recipients);
  const plain = new TransformStream();
  const writer = plain.writable.getWriter();
  const encrypted = await encrypter.encrypt(plain.readable);
  const pump = (async () => {
    for await (const chunk of encrypted) await inner.write(chunk);
  })();
  let failed;
  pump.catch((error) => {
    failed = error;
  });
  return {
    write: async (chunk) => {
      if (failed !== void 0) throw failed;
      await writer.ready;
      await writer.write(chunk);
    },
    close: async () => {
      await writer.close();
      await pump;
      return inner.close();
    },
    abort: async () => {
      await writer.abort(new Error("aborted")).catch(() => {
      });
      await pump.catch(() => {
      });
      await inner.abort();
    }
  };
}
async function decryptAge(source, identity, options = {}) {
  const file = options.file ?? "the encrypted pack";
  const trimmed = identity.trim();
  if (!trimmed.startsWith("AGE-SECRET-KEY-1")) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The age identity for ${file} is not an X25519 identity (it must start with AGE-SECRET-KEY-1); check ${option("identity")}.`,
      { file }
    );
  }
  const { Decrypter } = await ageLibrary();
  const decrypter = new Decrypter();
  try {
    decrypter.addIdentity(trimmed);
  } catch {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The age identity for ${file} is malformed; check ${option("identity")}.`,
      {
        file
      }
    );
  }
  let plain;
  try {
    plain = await decrypter.decrypt(ReadableStream.from(source));
  } catch (error) {
    const message = error.message ?? "";
    if (/no identity matched/i.test(message)) {
      throw new LicenseBackupError(
        "CONFIG_INVALID",
        `${file} was not encrypted to the given age identity; use the identity whose recipient the backup was encrypted to.`,
        { file, cause: error }
      );
    }
    throw new LicenseBackupError("BACKUP_CORRUPT", `${file} is not a valid age file (${message}).`, {
      file,
      cause: error
    });
  }
  return (async function* () {
    try {
      for await (const chunk of plain) yield chunk;
    } catch (error) {
      throw new LicenseBackupError(
        "BACKUP_CORRUPT",
        `${file} is damaged: its encrypted data does not authenticate (${error.message}).`,
        {
          file,
          cause: error
        }
      );
    }
  })();
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
function tarMember(name, data) {
  const member = Buffer.allocUnsafe(tarMemberSize(name, data.length));
  writeTarMember(member, 0, name, data);
  return [member];
}
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

// src/engine/format/tar-reader.ts
async function* readTar(source, options = {}) {
  const file = options.file ?? "the pack";
  const cap = options.maxMemberSize ?? 1024 * 1024;
  const maxMemberSize = typeof cap === "number" ? () => cap : cap;
  const maxMetadataSize = options.maxMetadataSize ?? 64 * 1024;
  const input = new ByteReader(iteratorOf(source));
  let index = 0;
  let pending = {};
  const corrupt2 = (problem) => new LicenseBackupError("BACKUP_CORRUPT", `${file} is not a valid license-backup pack: ${problem}.`, {
    file
  });
  try {
    for (; ; ) {
      if (options.signal?.aborted)
        throw new LicenseBackupError("CANCELLED", "Reading the pack was cancelled.");
      const block = await input.read(BLOCK);
      if (block === void 0) throw corrupt2("it ends without the end-of-archive marker (truncated)");
      if (isZero(block)) {
        const second = await input.read(BLOCK);
        if (second === void 0 || !isZero(second))
          throw corrupt2("it has a lone zero block (truncated or damaged)");
        await expectOnlyZeros(input, corrupt2);
        return;
      }
      index++;
      const at = `member ${index}`;
      const stored = readOctal(block, 148, 8);
      if (stored === void 0 || stored !== checksum(block)) throw corrupt2(`${at} has a bad header checksum`);
      const magic = block.toString("latin1", 257, 263);
      if (magic !== "ustar\0" && magic !== "ustar ") throw corrupt2(`${at} is not a ustar/pax header`);
      const type = String.fromCharCode(block[156]);
      const headerSize = readOctal(block, 124, 12);
      if (headerSize === void 0) throw corrupt2(`${at} has an unreadable size`);
      const ustarPath = joinUstarName(block);
      if (type === "x" || type === "L") {
        if (headerSize > maxMetadataSize)
          throw corrupt2(`${at} has a ${headerSize}-byte metadata record, over the cap`);
        const data2 = await readData(input, headerSize, corrupt2, at);
        if (type === "L") pending.path = cString(data2);
        else pending = { ...pending, ...parsePax(data2, corrupt2, at) };
        continue;
      }
      const name = pending.path ?? ustarPath;
      const size = pending.size ?? headerSize;
      pending = {};
      if (type !== "0" && type !== "\0" && type !== "7") {
        throw corrupt2(`${at} (${JSON.stringify(name)}) is a ${typeName(type)}, not a regular file`);
      }
      if (name === "") throw corrupt2(`${at} has an empty name`);
      if (size > maxMemberSize(name))
        throw corrupt2(
          `${at} (${JSON.stringify(name)}) is ${size} bytes, over the ${maxMemberSize(name)}-byte cap`
        );
      const data = await readData(input, size, corrupt2, `${at} (${JSON.stringify(name)})`);
      yield { name, size, type: "file", mode: readOctal(block, 100, 8) ?? 0, data };
    }
  } finally {
    await input.close();
  }
}
async function readData(input, size, corrupt2, at) {
  const padded2 = Math.ceil(size / BLOCK) * BLOCK;
  const data = await input.read(padded2);
  if (data === void 0) throw corrupt2(`${at} is cut short (truncated)`);
  return Buffer.from(data.subarray(0, size));
}
async function expectOnlyZeros(input, corrupt2) {
  for (; ; ) {
    const chunk = await input.readSome();
    if (chunk === void 0) return;
    if (!isZero(chunk)) throw corrupt2("it has data after the end-of-archive marker");
  }
}
function parsePax(data, corrupt2, at) {
  const result = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(32, offset);
    if (space < 0) break;
    const length = Number(data.toString("ascii", offset, space));
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length)
      throw corrupt2(`${at} has a malformed pax record`);
    const record = data.toString("utf8", space + 1, offset + length - 1);
    const equals = record.indexOf("=");
    if (equals < 0) throw corrupt2(`${at} has a malformed pax record`);
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === "path") result.path = value;
    if (key === "size") {
      if (!/^\d+$/.test(value)) throw corrupt2(`${at} has a malformed pax size`);
      result.size = Number(value);
    }
    offset += length;
  }
  return result;
}
function joinUstarName(block) {
  const name = cString(block.subarray(0, 100));
  const isUstar = block.toString("latin1", 257, 263) === "ustar\0";
  const prefix = isUstar ? cString(block.subarray(345, 500)) : "";
  return prefix === "" ? name : `${prefix}/${name}`;
}
function cString(bytes) {
  const end = bytes.indexOf(0);
  return bytes.toString("utf8", 0, end < 0 ? bytes.length : end);
}
function readOctal(block, offset, width) {
  const text = (block.toString("latin1", offset, offset + width).split("\0")[0] ?? "").trim();
  if (!/^[0-7]+$/.test(text)) return text === "" ? 0 : void 0;
  return parseInt(text, 8);
}
function isZero(bytes) {
  for (const byte of bytes) if (byte !== 0) return false;
  return true;
}
function typeName(type) {
  const names = {
    "1": "hard link",
    "2": "symbolic link",
    "3": "character device",
    "4": "block device",
    "5": "directory",
    "6": "FIFO",
    g: "pax global header",
    K: "GNU long link name"
  };
  return names[type] ?? `member of type ${JSON.stringify(type)}`;
}
var ByteReader = class {
  constructor(iterator) {
    this.iterator = iterator;
  }
  iterator;
  chunks = [];
  offset = 0;
  buffered = 0;
  done = false;
  /** Exactly `n` bytes, or undefined when the source ends first. */
  async read(n) {
    while (this.buffered < n && !this.done) await this.pull();
    if (this.buffered < n) return void 0;
    const first = this.chunks[0];
    if (first && first.length - this.offset >= n) {
      const out2 = first.subarray(this.offset, this.offset + n);
      this.consume(n);
      return out2;
    }
    const out = Buffer.alloc(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0];
      const take = Math.min(n - filled, chunk.length - this.offset);
      chunk.copy(out, filled, this.offset, this.offset + take);
      filled += take;
      this.consume(take);
    }
    return out;
  }
  /** Whatever is buffered, or the next chunk; undefined at the end. */
  async readSome() {
    if (this.buffered === 0 && !this.done) await this.pull();
    if (this.buffered === 0) return void 0;
    return this.read(this.buffered);
  }
  async close() {
    if (!this.done) await this.iterator.return?.();
  }
  consume(n) {
    this.offset += n;
    this.buffered -= n;
    while (this.chunks.length > 0 && this.offset >= this.chunks[0].length) {
      this.offset -= this.chunks[0].length;
      this.chunks.shift();
    }
  }
  async pull() {
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return;
    }
    const value = next.value;
    if (value.length === 0) return;
    this.chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    this.buffered += value.length;
  }
};
function iteratorOf(source) {
  if (Symbol.asyncIterator in source) return source[Symbol.asyncIterator]();
  const sync = source[Symbol.iterator]();
  return {
    next: async () => sync.next(),
    return: async () => sync.return?.() ?? { done: true, value: void 0 }
  };
}

// src/engine/licenses/license.ts
var LICENSE_ALGORITHMS = ["Ed25519", "EdDSA", "ES256"];
var BASE64URL = /^[A-Za-z0-9_-]*$/;
var FIX = "Replace it with the license as issued, or move it out of the store.";
function parseLicense(text, file) {
  const compact = text.trim();
  const parts = compact.split(".");
  if (parts.length !== 3 || parts.some((part) => part.length === 0)) {
    throw invalid(file, "it is not a compact JWS (three base64url parts separated by dots)");
  }
  const [headerPart, payloadPart, signaturePart] = parts;
  checkBase64url(headerPart, file, "header");
  checkBase64url(payloadPart, file, "payload");
  checkBase64url(signaturePart, file, "signature");
  const header = checkedHeader(headerPart, file);
  const claims = decodeJsonObject(payloadPart, file, "payload");
  const problem = claimProblem(claims);
  if (problem) {
    throw invalid(file, problem, {
      ...typeof claims["key_id"] === "string" ? { keyId: claims["key_id"] } : {},
      ...typeof claims["jti"] === "string" ? { licenseId: claims["jti"] } : {}
    });
  }
  const checked = claims;
  return {
    file,
    text: compact,
    header,
    claims: checked,
    jti: checked.jti,
    keyId: checked.key_id,
    restricted: checked.rights["backup"] !== true
  };
}
function checkBase64url(part, file, what) {
  if (!BASE64URL.test(part) || part.length % 4 === 1) throw invalid(file, `its ${what} is not base64url`);
}
var headers = /* @__PURE__ */ new Map();
var MAX_CACHED_HEADERS = 256;
function checkedHeader(headerPart, file) {
  const cached = headers.get(headerPart);
  if (cached !== void 0) return cached;
  const header = decodeJsonObject(headerPart, file, "header");
  const alg = header["alg"];
  if (typeof alg !== "string" || !LICENSE_ALGORITHMS.includes(alg)) {
    throw invalid(file, `its header alg ${describe(alg)} is not one of ${LICENSE_ALGORITHMS.join(", ")}`);
  }
  const kid = header["kid"];
  if (typeof kid !== "string" || kid.length === 0)
    throw invalid(file, "its header has no kid (signing key ID)");
  if (headers.size >= MAX_CACHED_HEADERS) headers.clear();
  const checked = Object.freeze(header);
  headers.set(headerPart, checked);
  return checked;
}
function claimProblem(claims) {
  if (!nonEmptyString(claims["jti"])) return "its jti (license ID) claim is missing or not a string";
  if (!nonEmptyString(claims["key_id"])) return "its key_id (content key ID) claim is missing or not a string";
  const iss = claims["iss"];
  if (!nonEmptyString(iss) || !URL.canParse(iss)) return "its iss (issuer) claim is missing or not a URL";
  if (!finiteNumber(claims["iat"])) return "its iat (issued at) claim is missing or not a number";
  for (const name of ["nbf", "exp"]) {
    if (claims[name] !== void 0 && !finiteNumber(claims[name])) return `its ${name} claim is not a number`;
  }
  if (claims["sub"] !== void 0 && typeof claims["sub"] !== "string") return "its sub claim is not a string";
  if (!isObject2(claims["rights"])) return "its rights claim is missing or not an object";
  const backup = claims["rights"]["backup"];
  if (backup !== void 0 && typeof backup !== "boolean") return "its rights.backup is not a boolean";
  const cnf = claims["cnf"];
  if (cnf !== void 0) {
    if (!isObject2(cnf)) return "its cnf claim is not an object";
    if (cnf["jkt"] !== void 0 && !nonEmptyString(cnf["jkt"])) return "its cnf.jkt is not a string";
  }
  return void 0;
}
function decodeJsonObject(part, file, what) {
  let value;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw invalid(file, `its ${what} is not base64url-encoded JSON`);
  }
  if (!isObject2(value)) throw invalid(file, `its ${what} is not a JSON object`);
  return value;
}
function invalidLicense(file, problem, ids = {}, cause) {
  const known = [
    ids.keyId === void 0 ? void 0 : `key ID ${ids.keyId}`,
    ids.licenseId === void 0 ? void 0 : `license ID ${ids.licenseId}`
  ].filter(Boolean);
  const where = known.length > 0 ? `${file} (${known.join(", ")})` : file;
  return new LicenseBackupError("INVALID_LICENSE", `${where} is not a valid license: ${problem}. ${FIX}`, {
    file,
    ...ids,
    ...cause === void 0 ? {} : { cause }
  });
}
var invalid = invalidLicense;
function isObject2(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function nonEmptyString(value) {
  return typeof value === "string" && value.length > 0;
}
function finiteNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}
function describe(value) {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 32)) : String(typeof value);
}

// node_modules/unicode-case-folding/index.js
var FOLDING_MAP = /* @__PURE__ */ new Map([[65, [97]], [66, [98]], [67, [99]], [68, [100]], [69, [101]], [70, [102]], [71, [103]], [72, [104]], [73, [105]], [74, [106]], [75, [107]], [76, [108]], [77, [109]], [78, [110]], [79, [111]], [80, [112]], [81, [113]], [82, [114]], [83, [115]], [84, [116]], [85, [117]], [86, [118]], [87, [119]], [88, [120]], [89, [121]], [90, [122]], [181, [956]], [192, [224]], [193, [225]], [194, [226]], [195, [227]], [196, [228]], [197, [229]], [198, [230]], [199, [231]], [200, [232]], [201, [233]], [202, [234]], [203, [235]], [204, [236]], [205, [237]], [206, [238]], [207, [239]], [208, [240]], [209, [241]], [210, [242]], [211, [243]], [212, [244]], [213, [245]], [214, [246]], [216, [248]], [217, [249]], [218, [250]], [219, [251]], [220, [252]], [221, [253]], [222, [254]], [223, [115, 115]], [256, [257]], [258, [259]], [260, [261]], [262, [263]], [264, [265]], [266, [267]], [268, [269]], [270, [271]], [272, [273]], [274, [275]], [276, [277]], [278, [279]], [280, [281]], [282, [283]], [284, [285]], [286, [287]], [288, [289]], [290, [291]], [292, [293]], [294, [295]], [296, [297]], [298, [299]], [300, [301]], [302, [303]], [304, [105, 775]], [306, [307]], [308, [309]], [310, [311]], [313, [314]], [315, [316]], [317, [318]], [319, [320]], [321, [322]], [323, [324]], [325, [326]], [327, [328]], [329, [700, 110]], [330, [331]], [332, [333]], [334, [335]], [336, [337]], [338, [339]], [340, [341]], [342, [343]], [344, [345]], [346, [347]], [348, [349]], [350, [351]], [352, [353]], [354, [355]], [356, [357]], [358, [359]], [360, [361]], [362, [363]], [364, [365]], [366, [367]], [368, [369]], [370, [371]], [372, [373]], [374, [375]], [376, [255]], [377, [378]], [379, [380]], [381, [382]], [383, [115]], [385, [595]], [386, [387]], [388, [389]], [390, [596]], [391, [392]], [393, [598]], [394, [599]], [395, [396]], [398, [477]], [399, [601]], [400, [603]], [401, [402]], [403, [608]], [404, [611]], [406, [617]], [407, [616]], [408, [409]], [412, [623]], [413, [626]], [415, [629]], [416, [417]], [418, [419]], [420, [421]], [422, [640]], [423, [424]], [425, [643]], [428, [429]], [430, [648]], [431, [432]], [433, [650]], [434, [651]], [435, [436]], [437, [438]], [439, [658]], [440, [441]], [444, [445]], [452, [454]], [453, [454]], [455, [457]], [456, [457]], [458, [460]], [459, [460]], [461, [462]], [463, [464]], [465, [466]], [467, [468]], [469, [470]], [471, [472]], [473, [474]], [475, [476]], [478, [479]], [480, [481]], [482, [483]], [484, [485]], [486, [487]], [488, [489]], [490, [491]], [492, [493]], [494, [495]], [496, [106, 780]], [497, [499]], [498, [499]], [500, [501]], [502, [405]], [503, [447]], [504, [505]], [506, [507]], [508, [509]], [510, [511]], [512, [513]], [514, [515]], [516, [517]], [518, [519]], [520, [521]], [522, [523]], [524, [525]], [526, [527]], [528, [529]], [530, [531]], [532, [533]], [534, [535]], [536, [537]], [538, [539]], [540, [541]], [542, [543]], [544, [414]], [546, [547]], [548, [549]], [550, [551]], [552, [553]], [554, [555]], [556, [557]], [558, [559]], [560, [561]], [562, [563]], [570, [11365]], [571, [572]], [573, [410]], [574, [11366]], [577, [578]], [579, [384]], [580, [649]], [581, [652]], [582, [583]], [584, [585]], [586, [587]], [588, [589]], [590, [591]], [837, [953]], [880, [881]], [882, [883]], [886, [887]], [895, [1011]], [902, [940]], [904, [941]], [905, [942]], [906, [943]], [908, [972]], [910, [973]], [911, [974]], [912, [953, 776, 769]], [913, [945]], [914, [946]], [915, [947]], [916, [948]], [917, [949]], [918, [950]], [919, [951]], [920, [952]], [921, [953]], [922, [954]], [923, [955]], [924, [956]], [925, [957]], [926, [958]], [927, [959]], [928, [960]], [929, [961]], [931, [963]], [932, [964]], [933, [965]], [934, [966]], [935, [967]], [936, [968]], [937, [969]], [938, [970]], [939, [971]], [944, [965, 776, 769]], [962, [963]], [975, [983]], [976, [946]], [977, [952]], [981, [966]], [982, [960]], [984, [985]], [986, [987]], [988, [989]], [990, [991]], [992, [993]], [994, [995]], [996, [997]], [998, [999]], [1e3, [1001]], [1002, [1003]], [1004, [1005]], [1006, [1007]], [1008, [954]], [1009, [961]], [1012, [952]], [1013, [949]], [1015, [1016]], [1017, [1010]], [1018, [1019]], [1021, [891]], [1022, [892]], [1023, [893]], [1024, [1104]], [1025, [1105]], [1026, [1106]], [1027, [1107]], [1028, [1108]], [1029, [1109]], [1030, [1110]], [1031, [1111]], [1032, [1112]], [1033, [1113]], [1034, [1114]], [1035, [1115]], [1036, [1116]], [1037, [1117]], [1038, [1118]], [1039, [1119]], [1040, [1072]], [1041, [1073]], [1042, [1074]], [1043, [1075]], [1044, [1076]], [1045, [1077]], [1046, [1078]], [1047, [1079]], [1048, [1080]], [1049, [1081]], [1050, [1082]], [1051, [1083]], [1052, [1084]], [1053, [1085]], [1054, [1086]], [1055, [1087]], [1056, [1088]], [1057, [1089]], [1058, [1090]], [1059, [1091]], [1060, [1092]], [1061, [1093]], [1062, [1094]], [1063, [1095]], [1064, [1096]], [1065, [1097]], [1066, [1098]], [1067, [1099]], [1068, [1100]], [1069, [1101]], [1070, [1102]], [1071, [1103]], [1120, [1121]], [1122, [1123]], [1124, [1125]], [1126, [1127]], [1128, [1129]], [1130, [1131]], [1132, [1133]], [1134, [1135]], [1136, [1137]], [1138, [1139]], [1140, [1141]], [1142, [1143]], [1144, [1145]], [1146, [1147]], [1148, [1149]], [1150, [1151]], [1152, [1153]], [1162, [1163]], [1164, [1165]], [1166, [1167]], [1168, [1169]], [1170, [1171]], [1172, [1173]], [1174, [1175]], [1176, [1177]], [1178, [1179]], [1180, [1181]], [1182, [1183]], [1184, [1185]], [1186, [1187]], [1188, [1189]], [1190, [1191]], [1192, [1193]], [1194, [1195]], [1196, [1197]], [1198, [1199]], [1200, [1201]], [1202, [1203]], [1204, [1205]], [1206, [1207]], [1208, [1209]], [1210, [1211]], [1212, [1213]], [1214, [1215]], [1216, [1231]], [1217, [1218]], [1219, [1220]], [1221, [1222]], [1223, [1224]], [1225, [1226]], [1227, [1228]], [1229, [1230]], [1232, [1233]], [1234, [1235]], [1236, [1237]], [1238, [1239]], [1240, [1241]], [1242, [1243]], [1244, [1245]], [1246, [1247]], [1248, [1249]], [1250, [1251]], [1252, [1253]], [1254, [1255]], [1256, [1257]], [1258, [1259]], [1260, [1261]], [1262, [1263]], [1264, [1265]], [1266, [1267]], [1268, [1269]], [1270, [1271]], [1272, [1273]], [1274, [1275]], [1276, [1277]], [1278, [1279]], [1280, [1281]], [1282, [1283]], [1284, [1285]], [1286, [1287]], [1288, [1289]], [1290, [1291]], [1292, [1293]], [1294, [1295]], [1296, [1297]], [1298, [1299]], [1300, [1301]], [1302, [1303]], [1304, [1305]], [1306, [1307]], [1308, [1309]], [1310, [1311]], [1312, [1313]], [1314, [1315]], [1316, [1317]], [1318, [1319]], [1320, [1321]], [1322, [1323]], [1324, [1325]], [1326, [1327]], [1329, [1377]], [1330, [1378]], [1331, [1379]], [1332, [1380]], [1333, [1381]], [1334, [1382]], [1335, [1383]], [1336, [1384]], [1337, [1385]], [1338, [1386]], [1339, [1387]], [1340, [1388]], [1341, [1389]], [1342, [1390]], [1343, [1391]], [1344, [1392]], [1345, [1393]], [1346, [1394]], [1347, [1395]], [1348, [1396]], [1349, [1397]], [1350, [1398]], [1351, [1399]], [1352, [1400]], [1353, [1401]], [1354, [1402]], [1355, [1403]], [1356, [1404]], [1357, [1405]], [1358, [1406]], [1359, [1407]], [1360, [1408]], [1361, [1409]], [1362, [1410]], [1363, [1411]], [1364, [1412]], [1365, [1413]], [1366, [1414]], [1415, [1381, 1410]], [4256, [11520]], [4257, [11521]], [4258, [11522]], [4259, [11523]], [4260, [11524]], [4261, [11525]], [4262, [11526]], [4263, [11527]], [4264, [11528]], [4265, [11529]], [4266, [11530]], [4267, [11531]], [4268, [11532]], [4269, [11533]], [4270, [11534]], [4271, [11535]], [4272, [11536]], [4273, [11537]], [4274, [11538]], [4275, [11539]], [4276, [11540]], [4277, [11541]], [4278, [11542]], [4279, [11543]], [4280, [11544]], [4281, [11545]], [4282, [11546]], [4283, [11547]], [4284, [11548]], [4285, [11549]], [4286, [11550]], [4287, [11551]], [4288, [11552]], [4289, [11553]], [4290, [11554]], [4291, [11555]], [4292, [11556]], [4293, [11557]], [4295, [11559]], [4301, [11565]], [5112, [5104]], [5113, [5105]], [5114, [5106]], [5115, [5107]], [5116, [5108]], [5117, [5109]], [7296, [1074]], [7297, [1076]], [7298, [1086]], [7299, [1089]], [7300, [1090]], [7301, [1090]], [7302, [1098]], [7303, [1123]], [7304, [42571]], [7305, [7306]], [7312, [4304]], [7313, [4305]], [7314, [4306]], [7315, [4307]], [7316, [4308]], [7317, [4309]], [7318, [4310]], [7319, [4311]], [7320, [4312]], [7321, [4313]], [7322, [4314]], [7323, [4315]], [7324, [4316]], [7325, [4317]], [7326, [4318]], [7327, [4319]], [7328, [4320]], [7329, [4321]], [7330, [4322]], [7331, [4323]], [7332, [4324]], [7333, [4325]], [7334, [4326]], [7335, [4327]], [7336, [4328]], [7337, [4329]], [7338, [4330]], [7339, [4331]], [7340, [4332]], [7341, [4333]], [7342, [4334]], [7343, [4335]], [7344, [4336]], [7345, [4337]], [7346, [4338]], [7347, [4339]], [7348, [4340]], [7349, [4341]], [7350, [4342]], [7351, [4343]], [7352, [4344]], [7353, [4345]], [7354, [4346]], [7357, [4349]], [7358, [4350]], [7359, [4351]], [7680, [7681]], [7682, [7683]], [7684, [7685]], [7686, [7687]], [7688, [7689]], [7690, [7691]], [7692, [7693]], [7694, [7695]], [7696, [7697]], [7698, [7699]], [7700, [7701]], [7702, [7703]], [7704, [7705]], [7706, [7707]], [7708, [7709]], [7710, [7711]], [7712, [7713]], [7714, [7715]], [7716, [7717]], [7718, [7719]], [7720, [7721]], [7722, [7723]], [7724, [7725]], [7726, [7727]], [7728, [7729]], [7730, [7731]], [7732, [7733]], [7734, [7735]], [7736, [7737]], [7738, [7739]], [7740, [7741]], [7742, [7743]], [7744, [7745]], [7746, [7747]], [7748, [7749]], [7750, [7751]], [7752, [7753]], [7754, [7755]], [7756, [7757]], [7758, [7759]], [7760, [7761]], [7762, [7763]], [7764, [7765]], [7766, [7767]], [7768, [7769]], [7770, [7771]], [7772, [7773]], [7774, [7775]], [7776, [7777]], [7778, [7779]], [7780, [7781]], [7782, [7783]], [7784, [7785]], [7786, [7787]], [7788, [7789]], [7790, [7791]], [7792, [7793]], [7794, [7795]], [7796, [7797]], [7798, [7799]], [7800, [7801]], [7802, [7803]], [7804, [7805]], [7806, [7807]], [7808, [7809]], [7810, [7811]], [7812, [7813]], [7814, [7815]], [7816, [7817]], [7818, [7819]], [7820, [7821]], [7822, [7823]], [7824, [7825]], [7826, [7827]], [7828, [7829]], [7830, [104, 817]], [7831, [116, 776]], [7832, [119, 778]], [7833, [121, 778]], [7834, [97, 702]], [7835, [7777]], [7838, [115, 115]], [7840, [7841]], [7842, [7843]], [7844, [7845]], [7846, [7847]], [7848, [7849]], [7850, [7851]], [7852, [7853]], [7854, [7855]], [7856, [7857]], [7858, [7859]], [7860, [7861]], [7862, [7863]], [7864, [7865]], [7866, [7867]], [7868, [7869]], [7870, [7871]], [7872, [7873]], [7874, [7875]], [7876, [7877]], [7878, [7879]], [7880, [7881]], [7882, [7883]], [7884, [7885]], [7886, [7887]], [7888, [7889]], [7890, [7891]], [7892, [7893]], [7894, [7895]], [7896, [7897]], [7898, [7899]], [7900, [7901]], [7902, [7903]], [7904, [7905]], [7906, [7907]], [7908, [7909]], [7910, [7911]], [7912, [7913]], [7914, [7915]], [7916, [7917]], [7918, [7919]], [7920, [7921]], [7922, [7923]], [7924, [7925]], [7926, [7927]], [7928, [7929]], [7930, [7931]], [7932, [7933]], [7934, [7935]], [7944, [7936]], [7945, [7937]], [7946, [7938]], [7947, [7939]], [7948, [7940]], [7949, [7941]], [7950, [7942]], [7951, [7943]], [7960, [7952]], [7961, [7953]], [7962, [7954]], [7963, [7955]], [7964, [7956]], [7965, [7957]], [7976, [7968]], [7977, [7969]], [7978, [7970]], [7979, [7971]], [7980, [7972]], [7981, [7973]], [7982, [7974]], [7983, [7975]], [7992, [7984]], [7993, [7985]], [7994, [7986]], [7995, [7987]], [7996, [7988]], [7997, [7989]], [7998, [7990]], [7999, [7991]], [8008, [8e3]], [8009, [8001]], [8010, [8002]], [8011, [8003]], [8012, [8004]], [8013, [8005]], [8016, [965, 787]], [8018, [965, 787, 768]], [8020, [965, 787, 769]], [8022, [965, 787, 834]], [8025, [8017]], [8027, [8019]], [8029, [8021]], [8031, [8023]], [8040, [8032]], [8041, [8033]], [8042, [8034]], [8043, [8035]], [8044, [8036]], [8045, [8037]], [8046, [8038]], [8047, [8039]], [8064, [7936, 953]], [8065, [7937, 953]], [8066, [7938, 953]], [8067, [7939, 953]], [8068, [7940, 953]], [8069, [7941, 953]], [8070, [7942, 953]], [8071, [7943, 953]], [8072, [7936, 953]], [8073, [7937, 953]], [8074, [7938, 953]], [8075, [7939, 953]], [8076, [7940, 953]], [8077, [7941, 953]], [8078, [7942, 953]], [8079, [7943, 953]], [8080, [7968, 953]], [8081, [7969, 953]], [8082, [7970, 953]], [8083, [7971, 953]], [8084, [7972, 953]], [8085, [7973, 953]], [8086, [7974, 953]], [8087, [7975, 953]], [8088, [7968, 953]], [8089, [7969, 953]], [8090, [7970, 953]], [8091, [7971, 953]], [8092, [7972, 953]], [8093, [7973, 953]], [8094, [7974, 953]], [8095, [7975, 953]], [8096, [8032, 953]], [8097, [8033, 953]], [8098, [8034, 953]], [8099, [8035, 953]], [8100, [8036, 953]], [8101, [8037, 953]], [8102, [8038, 953]], [8103, [8039, 953]], [8104, [8032, 953]], [8105, [8033, 953]], [8106, [8034, 953]], [8107, [8035, 953]], [8108, [8036, 953]], [8109, [8037, 953]], [8110, [8038, 953]], [8111, [8039, 953]], [8114, [8048, 953]], [8115, [945, 953]], [8116, [940, 953]], [8118, [945, 834]], [8119, [945, 834, 953]], [8120, [8112]], [8121, [8113]], [8122, [8048]], [8123, [8049]], [8124, [945, 953]], [8126, [953]], [8130, [8052, 953]], [8131, [951, 953]], [8132, [942, 953]], [8134, [951, 834]], [8135, [951, 834, 953]], [8136, [8050]], [8137, [8051]], [8138, [8052]], [8139, [8053]], [8140, [951, 953]], [8146, [953, 776, 768]], [8147, [953, 776, 769]], [8150, [953, 834]], [8151, [953, 776, 834]], [8152, [8144]], [8153, [8145]], [8154, [8054]], [8155, [8055]], [8162, [965, 776, 768]], [8163, [965, 776, 769]], [8164, [961, 787]], [8166, [965, 834]], [8167, [965, 776, 834]], [8168, [8160]], [8169, [8161]], [8170, [8058]], [8171, [8059]], [8172, [8165]], [8178, [8060, 953]], [8179, [969, 953]], [8180, [974, 953]], [8182, [969, 834]], [8183, [969, 834, 953]], [8184, [8056]], [8185, [8057]], [8186, [8060]], [8187, [8061]], [8188, [969, 953]], [8486, [969]], [8490, [107]], [8491, [229]], [8498, [8526]], [8544, [8560]], [8545, [8561]], [8546, [8562]], [8547, [8563]], [8548, [8564]], [8549, [8565]], [8550, [8566]], [8551, [8567]], [8552, [8568]], [8553, [8569]], [8554, [8570]], [8555, [8571]], [8556, [8572]], [8557, [8573]], [8558, [8574]], [8559, [8575]], [8579, [8580]], [9398, [9424]], [9399, [9425]], [9400, [9426]], [9401, [9427]], [9402, [9428]], [9403, [9429]], [9404, [9430]], [9405, [9431]], [9406, [9432]], [9407, [9433]], [9408, [9434]], [9409, [9435]], [9410, [9436]], [9411, [9437]], [9412, [9438]], [9413, [9439]], [9414, [9440]], [9415, [9441]], [9416, [9442]], [9417, [9443]], [9418, [9444]], [9419, [9445]], [9420, [9446]], [9421, [9447]], [9422, [9448]], [9423, [9449]], [11264, [11312]], [11265, [11313]], [11266, [11314]], [11267, [11315]], [11268, [11316]], [11269, [11317]], [11270, [11318]], [11271, [11319]], [11272, [11320]], [11273, [11321]], [11274, [11322]], [11275, [11323]], [11276, [11324]], [11277, [11325]], [11278, [11326]], [11279, [11327]], [11280, [11328]], [11281, [11329]], [11282, [11330]], [11283, [11331]], [11284, [11332]], [11285, [11333]], [11286, [11334]], [11287, [11335]], [11288, [11336]], [11289, [11337]], [11290, [11338]], [11291, [11339]], [11292, [11340]], [11293, [11341]], [11294, [11342]], [11295, [11343]], [11296, [11344]], [11297, [11345]], [11298, [11346]], [11299, [11347]], [11300, [11348]], [11301, [11349]], [11302, [11350]], [11303, [11351]], [11304, [11352]], [11305, [11353]], [11306, [11354]], [11307, [11355]], [11308, [11356]], [11309, [11357]], [11310, [11358]], [11311, [11359]], [11360, [11361]], [11362, [619]], [11363, [7549]], [11364, [637]], [11367, [11368]], [11369, [11370]], [11371, [11372]], [11373, [593]], [11374, [625]], [11375, [592]], [11376, [594]], [11378, [11379]], [11381, [11382]], [11390, [575]], [11391, [576]], [11392, [11393]], [11394, [11395]], [11396, [11397]], [11398, [11399]], [11400, [11401]], [11402, [11403]], [11404, [11405]], [11406, [11407]], [11408, [11409]], [11410, [11411]], [11412, [11413]], [11414, [11415]], [11416, [11417]], [11418, [11419]], [11420, [11421]], [11422, [11423]], [11424, [11425]], [11426, [11427]], [11428, [11429]], [11430, [11431]], [11432, [11433]], [11434, [11435]], [11436, [11437]], [11438, [11439]], [11440, [11441]], [11442, [11443]], [11444, [11445]], [11446, [11447]], [11448, [11449]], [11450, [11451]], [11452, [11453]], [11454, [11455]], [11456, [11457]], [11458, [11459]], [11460, [11461]], [11462, [11463]], [11464, [11465]], [11466, [11467]], [11468, [11469]], [11470, [11471]], [11472, [11473]], [11474, [11475]], [11476, [11477]], [11478, [11479]], [11480, [11481]], [11482, [11483]], [11484, [11485]], [11486, [11487]], [11488, [11489]], [11490, [11491]], [11499, [11500]], [11501, [11502]], [11506, [11507]], [42560, [42561]], [42562, [42563]], [42564, [42565]], [42566, [42567]], [42568, [42569]], [42570, [42571]], [42572, [42573]], [42574, [42575]], [42576, [42577]], [42578, [42579]], [42580, [42581]], [42582, [42583]], [42584, [42585]], [42586, [42587]], [42588, [42589]], [42590, [42591]], [42592, [42593]], [42594, [42595]], [42596, [42597]], [42598, [42599]], [42600, [42601]], [42602, [42603]], [42604, [42605]], [42624, [42625]], [42626, [42627]], [42628, [42629]], [42630, [42631]], [42632, [42633]], [42634, [42635]], [42636, [42637]], [42638, [42639]], [42640, [42641]], [42642, [42643]], [42644, [42645]], [42646, [42647]], [42648, [42649]], [42650, [42651]], [42786, [42787]], [42788, [42789]], [42790, [42791]], [42792, [42793]], [42794, [42795]], [42796, [42797]], [42798, [42799]], [42802, [42803]], [42804, [42805]], [42806, [42807]], [42808, [42809]], [42810, [42811]], [42812, [42813]], [42814, [42815]], [42816, [42817]], [42818, [42819]], [42820, [42821]], [42822, [42823]], [42824, [42825]], [42826, [42827]], [42828, [42829]], [42830, [42831]], [42832, [42833]], [42834, [42835]], [42836, [42837]], [42838, [42839]], [42840, [42841]], [42842, [42843]], [42844, [42845]], [42846, [42847]], [42848, [42849]], [42850, [42851]], [42852, [42853]], [42854, [42855]], [42856, [42857]], [42858, [42859]], [42860, [42861]], [42862, [42863]], [42873, [42874]], [42875, [42876]], [42877, [7545]], [42878, [42879]], [42880, [42881]], [42882, [42883]], [42884, [42885]], [42886, [42887]], [42891, [42892]], [42893, [613]], [42896, [42897]], [42898, [42899]], [42902, [42903]], [42904, [42905]], [42906, [42907]], [42908, [42909]], [42910, [42911]], [42912, [42913]], [42914, [42915]], [42916, [42917]], [42918, [42919]], [42920, [42921]], [42922, [614]], [42923, [604]], [42924, [609]], [42925, [620]], [42926, [618]], [42928, [670]], [42929, [647]], [42930, [669]], [42931, [43859]], [42932, [42933]], [42934, [42935]], [42936, [42937]], [42938, [42939]], [42940, [42941]], [42942, [42943]], [42944, [42945]], [42946, [42947]], [42948, [42900]], [42949, [642]], [42950, [7566]], [42951, [42952]], [42953, [42954]], [42955, [612]], [42956, [42957]], [42958, [42959]], [42960, [42961]], [42962, [42963]], [42964, [42965]], [42966, [42967]], [42968, [42969]], [42970, [42971]], [42972, [411]], [42997, [42998]], [43888, [5024]], [43889, [5025]], [43890, [5026]], [43891, [5027]], [43892, [5028]], [43893, [5029]], [43894, [5030]], [43895, [5031]], [43896, [5032]], [43897, [5033]], [43898, [5034]], [43899, [5035]], [43900, [5036]], [43901, [5037]], [43902, [5038]], [43903, [5039]], [43904, [5040]], [43905, [5041]], [43906, [5042]], [43907, [5043]], [43908, [5044]], [43909, [5045]], [43910, [5046]], [43911, [5047]], [43912, [5048]], [43913, [5049]], [43914, [5050]], [43915, [5051]], [43916, [5052]], [43917, [5053]], [43918, [5054]], [43919, [5055]], [43920, [5056]], [43921, [5057]], [43922, [5058]], [43923, [5059]], [43924, [5060]], [43925, [5061]], [43926, [5062]], [43927, [5063]], [43928, [5064]], [43929, [5065]], [43930, [5066]], [43931, [5067]], [43932, [5068]], [43933, [5069]], [43934, [5070]], [43935, [5071]], [43936, [5072]], [43937, [5073]], [43938, [5074]], [43939, [5075]], [43940, [5076]], [43941, [5077]], [43942, [5078]], [43943, [5079]], [43944, [5080]], [43945, [5081]], [43946, [5082]], [43947, [5083]], [43948, [5084]], [43949, [5085]], [43950, [5086]], [43951, [5087]], [43952, [5088]], [43953, [5089]], [43954, [5090]], [43955, [5091]], [43956, [5092]], [43957, [5093]], [43958, [5094]], [43959, [5095]], [43960, [5096]], [43961, [5097]], [43962, [5098]], [43963, [5099]], [43964, [5100]], [43965, [5101]], [43966, [5102]], [43967, [5103]], [64256, [102, 102]], [64257, [102, 105]], [64258, [102, 108]], [64259, [102, 102, 105]], [64260, [102, 102, 108]], [64261, [115, 116]], [64262, [115, 116]], [64275, [1396, 1398]], [64276, [1396, 1381]], [64277, [1396, 1387]], [64278, [1406, 1398]], [64279, [1396, 1389]], [65313, [65345]], [65314, [65346]], [65315, [65347]], [65316, [65348]], [65317, [65349]], [65318, [65350]], [65319, [65351]], [65320, [65352]], [65321, [65353]], [65322, [65354]], [65323, [65355]], [65324, [65356]], [65325, [65357]], [65326, [65358]], [65327, [65359]], [65328, [65360]], [65329, [65361]], [65330, [65362]], [65331, [65363]], [65332, [65364]], [65333, [65365]], [65334, [65366]], [65335, [65367]], [65336, [65368]], [65337, [65369]], [65338, [65370]], [66560, [66600]], [66561, [66601]], [66562, [66602]], [66563, [66603]], [66564, [66604]], [66565, [66605]], [66566, [66606]], [66567, [66607]], [66568, [66608]], [66569, [66609]], [66570, [66610]], [66571, [66611]], [66572, [66612]], [66573, [66613]], [66574, [66614]], [66575, [66615]], [66576, [66616]], [66577, [66617]], [66578, [66618]], [66579, [66619]], [66580, [66620]], [66581, [66621]], [66582, [66622]], [66583, [66623]], [66584, [66624]], [66585, [66625]], [66586, [66626]], [66587, [66627]], [66588, [66628]], [66589, [66629]], [66590, [66630]], [66591, [66631]], [66592, [66632]], [66593, [66633]], [66594, [66634]], [66595, [66635]], [66596, [66636]], [66597, [66637]], [66598, [66638]], [66599, [66639]], [66736, [66776]], [66737, [66777]], [66738, [66778]], [66739, [66779]], [66740, [66780]], [66741, [66781]], [66742, [66782]], [66743, [66783]], [66744, [66784]], [66745, [66785]], [66746, [66786]], [66747, [66787]], [66748, [66788]], [66749, [66789]], [66750, [66790]], [66751, [66791]], [66752, [66792]], [66753, [66793]], [66754, [66794]], [66755, [66795]], [66756, [66796]], [66757, [66797]], [66758, [66798]], [66759, [66799]], [66760, [66800]], [66761, [66801]], [66762, [66802]], [66763, [66803]], [66764, [66804]], [66765, [66805]], [66766, [66806]], [66767, [66807]], [66768, [66808]], [66769, [66809]], [66770, [66810]], [66771, [66811]], [66928, [66967]], [66929, [66968]], [66930, [66969]], [66931, [66970]], [66932, [66971]], [66933, [66972]], [66934, [66973]], [66935, [66974]], [66936, [66975]], [66937, [66976]], [66938, [66977]], [66940, [66979]], [66941, [66980]], [66942, [66981]], [66943, [66982]], [66944, [66983]], [66945, [66984]], [66946, [66985]], [66947, [66986]], [66948, [66987]], [66949, [66988]], [66950, [66989]], [66951, [66990]], [66952, [66991]], [66953, [66992]], [66954, [66993]], [66956, [66995]], [66957, [66996]], [66958, [66997]], [66959, [66998]], [66960, [66999]], [66961, [67e3]], [66962, [67001]], [66964, [67003]], [66965, [67004]], [68736, [68800]], [68737, [68801]], [68738, [68802]], [68739, [68803]], [68740, [68804]], [68741, [68805]], [68742, [68806]], [68743, [68807]], [68744, [68808]], [68745, [68809]], [68746, [68810]], [68747, [68811]], [68748, [68812]], [68749, [68813]], [68750, [68814]], [68751, [68815]], [68752, [68816]], [68753, [68817]], [68754, [68818]], [68755, [68819]], [68756, [68820]], [68757, [68821]], [68758, [68822]], [68759, [68823]], [68760, [68824]], [68761, [68825]], [68762, [68826]], [68763, [68827]], [68764, [68828]], [68765, [68829]], [68766, [68830]], [68767, [68831]], [68768, [68832]], [68769, [68833]], [68770, [68834]], [68771, [68835]], [68772, [68836]], [68773, [68837]], [68774, [68838]], [68775, [68839]], [68776, [68840]], [68777, [68841]], [68778, [68842]], [68779, [68843]], [68780, [68844]], [68781, [68845]], [68782, [68846]], [68783, [68847]], [68784, [68848]], [68785, [68849]], [68786, [68850]], [68944, [68976]], [68945, [68977]], [68946, [68978]], [68947, [68979]], [68948, [68980]], [68949, [68981]], [68950, [68982]], [68951, [68983]], [68952, [68984]], [68953, [68985]], [68954, [68986]], [68955, [68987]], [68956, [68988]], [68957, [68989]], [68958, [68990]], [68959, [68991]], [68960, [68992]], [68961, [68993]], [68962, [68994]], [68963, [68995]], [68964, [68996]], [68965, [68997]], [71840, [71872]], [71841, [71873]], [71842, [71874]], [71843, [71875]], [71844, [71876]], [71845, [71877]], [71846, [71878]], [71847, [71879]], [71848, [71880]], [71849, [71881]], [71850, [71882]], [71851, [71883]], [71852, [71884]], [71853, [71885]], [71854, [71886]], [71855, [71887]], [71856, [71888]], [71857, [71889]], [71858, [71890]], [71859, [71891]], [71860, [71892]], [71861, [71893]], [71862, [71894]], [71863, [71895]], [71864, [71896]], [71865, [71897]], [71866, [71898]], [71867, [71899]], [71868, [71900]], [71869, [71901]], [71870, [71902]], [71871, [71903]], [93760, [93792]], [93761, [93793]], [93762, [93794]], [93763, [93795]], [93764, [93796]], [93765, [93797]], [93766, [93798]], [93767, [93799]], [93768, [93800]], [93769, [93801]], [93770, [93802]], [93771, [93803]], [93772, [93804]], [93773, [93805]], [93774, [93806]], [93775, [93807]], [93776, [93808]], [93777, [93809]], [93778, [93810]], [93779, [93811]], [93780, [93812]], [93781, [93813]], [93782, [93814]], [93783, [93815]], [93784, [93816]], [93785, [93817]], [93786, [93818]], [93787, [93819]], [93788, [93820]], [93789, [93821]], [93790, [93822]], [93791, [93823]], [93856, [93883]], [93857, [93884]], [93858, [93885]], [93859, [93886]], [93860, [93887]], [93861, [93888]], [93862, [93889]], [93863, [93890]], [93864, [93891]], [93865, [93892]], [93866, [93893]], [93867, [93894]], [93868, [93895]], [93869, [93896]], [93870, [93897]], [93871, [93898]], [93872, [93899]], [93873, [93900]], [93874, [93901]], [93875, [93902]], [93876, [93903]], [93877, [93904]], [93878, [93905]], [93879, [93906]], [93880, [93907]], [125184, [125218]], [125185, [125219]], [125186, [125220]], [125187, [125221]], [125188, [125222]], [125189, [125223]], [125190, [125224]], [125191, [125225]], [125192, [125226]], [125193, [125227]], [125194, [125228]], [125195, [125229]], [125196, [125230]], [125197, [125231]], [125198, [125232]], [125199, [125233]], [125200, [125234]], [125201, [125235]], [125202, [125236]], [125203, [125237]], [125204, [125238]], [125205, [125239]], [125206, [125240]], [125207, [125241]], [125208, [125242]], [125209, [125243]], [125210, [125244]], [125211, [125245]], [125212, [125246]], [125213, [125247]], [125214, [125248]], [125215, [125249]], [125216, [125250]], [125217, [125251]]]);
function caseFold(input) {
  if (typeof input !== "string") {
    throw new TypeError("Input must be a string");
  }
  let result = [];
  for (const char of input) {
    const codePoint = char.codePointAt(0);
    const mapping = FOLDING_MAP.get(codePoint);
    result.push(mapping ? String.fromCodePoint(...mapping) : char);
  }
  return result.join("");
}

// src/engine/store/names.ts
var STATE_DIR = ".license-backup";
var PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
var DEFAULT_IGNORABLE = new RegExp("\\p{Default_Ignorable_Code_Point}", "gu");
var CONTROL = new RegExp("\\p{Cc}", "u");
var RESERVED = /^(?:con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/;
var SHORT_BASE = /^[^~]+~[0-9]+$/;
function nameKey(name) {
  if (PRINTABLE_ASCII.test(name)) return name.toLowerCase();
  const visible = name.normalize("NFD").replace(DEFAULT_IGNORABLE, "");
  return caseFold(visible.toUpperCase()).normalize("NFC");
}
var STATE_KEY = nameKey(STATE_DIR);
function pathProblem(path) {
  if (path.length === 0) return "has an empty name";
  if (path.startsWith("/")) return "has an absolute name";
  if (path.includes("\\")) return "has a backslash in its name";
  if (CONTROL.test(path)) return "has a control character in its name";
  const segments = path.split("/");
  if (segments.some((s) => s === "..")) return "has a `..` in its name (it would escape the store)";
  if (segments.some((s) => s === "" || s === ".")) return "has an empty or `.` segment in its name";
  if (isStateDirName(segments[0])) {
    return `is inside the store's own ${STATE_DIR} folder (${JSON.stringify(segments[0])} is the same name on some file systems)`;
  }
  for (const segment of segments) {
    const problem = segmentProblem(segment);
    if (problem) return `${problem} (${JSON.stringify(segment)})`;
  }
  return void 0;
}
function isStateDirName(name) {
  return nameKey(withoutTrailingDotsAndSpaces(name)) === STATE_KEY;
}
function withoutTrailingDotsAndSpaces(name) {
  let end = name.length;
  while (end > 0 && (name[end - 1] === "." || name[end - 1] === " ")) end--;
  return name.slice(0, end);
}
var MAX_SEGMENT = 255;
function segmentProblem(segment) {
  if (segment.length > MAX_SEGMENT / 3 && Buffer.byteLength(segment) > MAX_SEGMENT) {
    return `has a name longer than ${MAX_SEGMENT} bytes, more than file systems take`;
  }
  if (segment.includes(":")) return "has a colon in its name, which names a stream on Windows";
  if (segment.endsWith(".") || segment.endsWith(" ")) {
    return "has a name ending in a dot or a space, which Windows drops";
  }
  const dot = segment.indexOf(".");
  const base = dot < 0 ? segment : segment.slice(0, dot);
  if (isDeviceName(base)) return "has a name Windows reserves for a device";
  const extension = dot < 0 ? "" : segment.slice(dot + 1);
  if (isShortName(base, extension)) {
    return "has the shape of a Windows 8.3 short name, which may name another file";
  }
  return void 0;
}
function isDeviceName(base) {
  const trimmed = withoutTrailingDotsAndSpaces(base);
  if (trimmed.length > 7 && PRINTABLE_ASCII.test(trimmed)) return false;
  return RESERVED.test(nameKey(trimmed));
}
function isShortName(base, extension) {
  return base.length <= 8 && extension.length <= 3 && !extension.includes(".") && SHORT_BASE.test(base);
}

// src/engine/store/read.ts
import { closeSync as closeSync2, constants, fstatSync, lstatSync, openSync as openSync2, readSync } from "node:fs";
import { join as join2 } from "node:path";
var MAX_LICENSE_BYTES = 1024 * 1024;
var nodeFileSystem = { openSync: openSync2 };
var OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
function readLicenseFileSync(store, relative, fileSystem = nodeFileSystem) {
  let fd;
  const path = join2(store, relative);
  try {
    fd = fileSystem.openSync(path, OPEN_FLAGS);
  } catch (error) {
    throw unreadable(relative, store, error);
  }
  if (openFollowsLinks() && isLink(path)) {
    closeSync2(fd);
    throw unreadable(
      relative,
      store,
      Object.assign(new Error(`${path} is a symbolic link`), { code: "ELOOP" })
    );
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) {
      throw new LicenseBackupError(
        "STORE_INVALID",
        `${relative} in the store ${store} is no longer a regular file; links are never followed. Replace it with the license file itself.`,
        { file: relative }
      );
    }
    if (info.size > MAX_LICENSE_BYTES) throw tooBig(relative, info.size);
    const bytes = Buffer.allocUnsafe(info.size + 1);
    const filled = readSync(fd, bytes, 0, bytes.length, 0);
    if (filled > info.size)
      throw tooBig(relative, filled, "it grew while it was read; run again when nothing writes to the store");
    return bytes.subarray(0, filled);
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error;
    throw unreadable(relative, store, error);
  } finally {
    closeSync2(fd);
  }
}
function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
function tooBig(relative, size, why) {
  return invalidLicense(
    relative,
    why ?? `it is ${size} bytes, over the ${MAX_LICENSE_BYTES}-byte limit for a license`
  );
}
function unreadable(relative, store, error) {
  const code = error.code ?? "error";
  if (code === "ELOOP") {
    return new LicenseBackupError(
      "STORE_INVALID",
      `${relative} in the store ${store} is a symbolic link; links are never followed. Replace it with the license file itself.`,
      { file: relative, cause: error }
    );
  }
  const hint = code === "EACCES" || code === "EPERM" ? "give the backup job read access to it" : code === "ENOENT" ? "it disappeared during the backup; run it again when nothing else changes the store" : "check the file and the disk";
  return new LicenseBackupError(
    "IO_ERROR",
    `${relative} in the store ${store} cannot be read (${code}); ${hint}.`,
    {
      file: relative,
      cause: error
    }
  );
}

// src/engine/backup/origin.ts
import { hostname } from "node:os";
function defaultOrigin() {
  return { host: hostname() };
}
function describeOrigin(untrusted2, created, now) {
  const origin = Object.fromEntries(Object.entries(untrusted2).map(([key, value]) => [key, clean(value)]));
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

// src/engine/format/ssh/allowed-signers.ts
var KEY_TYPE = /^(ssh-|ecdsa-|sk-|rsa-)/;
function parseAllowedSigners(text, file) {
  const signers = [];
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.replace(/\r$/, "").trim();
    if (line === "" || line.startsWith("#")) continue;
    const invalid2 = (problem) => new LicenseBackupError(
      "CONFIG_INVALID",
      `${file} line ${index + 1} is not an allowed_signers line: ${problem}. Each line is \`principals [options] ssh-ed25519 AAAA\u2026\`.`,
      { file }
    );
    const tokens = tokenize(line);
    if (tokens === void 0) throw invalid2("a quote is not closed");
    const [principals, ...rest] = tokens;
    if (principals === void 0 || rest.length < 2) throw invalid2("it has too few fields");
    const signer = {
      line: index + 1,
      principals: unquote(principals),
      publicBlob: Buffer.alloc(0),
      certAuthority: false
    };
    if (!KEY_TYPE.test(rest[0])) readOptions(rest.shift(), signer, invalid2);
    const [type, key] = rest;
    if (type === void 0 || key === void 0 || !KEY_TYPE.test(type)) throw invalid2("it names no key type");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw invalid2("its key is not base64");
    signer.publicBlob = Buffer.from(key, "base64");
    signers.push(signer);
  }
  return signers;
}
function tokenize(line) {
  const tokens = [];
  let current2 = "";
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    if (!quoted && /\s/.test(char)) {
      if (current2 !== "") tokens.push(current2);
      current2 = "";
      continue;
    }
    current2 += char;
  }
  if (quoted) return void 0;
  if (current2 !== "") tokens.push(current2);
  return tokens;
}
function unquote(value) {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}
function readOptions(text, signer, invalid2) {
  for (const option2 of splitOptions(text)) {
    const equals = option2.indexOf("=");
    const name = (equals < 0 ? option2 : option2.slice(0, equals)).toLowerCase();
    const value = equals < 0 ? "" : unquote(option2.slice(equals + 1));
    if (name === "cert-authority") signer.certAuthority = true;
    else if (name === "namespaces") signer.namespaces = value.split(",").map((ns) => ns.trim());
    else if (name === "valid-after") signer.validAfter = timestamp(value, invalid2);
    else if (name === "valid-before") signer.validBefore = timestamp(value, invalid2);
    else throw invalid2(`it has the unknown option ${JSON.stringify(name)}`);
  }
}
function splitOptions(text) {
  const options = [];
  let current2 = "";
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    if (!quoted && char === ",") {
      options.push(current2);
      current2 = "";
      continue;
    }
    current2 += char;
  }
  options.push(current2);
  return options.filter((option2) => option2 !== "");
}
function timestamp(value, invalid2) {
  const found = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/.exec(value);
  if (!found) throw invalid2(`its time ${JSON.stringify(value)} is not YYYYMMDD[HHMM[SS]][Z]`);
  const [, y, mo, d, h = "0", mi = "0", s = "0"] = found;
  return Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
}
function findSigner(signers, publicBlob, namespace, now) {
  const lines = signers.filter((signer) => signer.publicBlob.equals(publicBlob) && !signer.certAuthority);
  if (lines.length === 0) return { problem: "its key is not in the file" };
  const inNamespace = lines.filter(
    (s) => s.namespaces === void 0 || s.namespaces.some((ns) => matches(ns, namespace))
  );
  if (inNamespace.length === 0)
    return {
      problem: `its key is allowed only for other namespaces (line ${lines[0].line}), not ${namespace}`
    };
  const valid = inNamespace.find(
    (s) => (s.validAfter === void 0 || now >= s.validAfter) && (s.validBefore === void 0 || now < s.validBefore)
  );
  if (!valid)
    return { problem: `its key is outside its valid-after/valid-before time (line ${inNamespace[0].line})` };
  return { signer: valid };
}
function matches(pattern, value) {
  if (pattern.startsWith("!")) return false;
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(value);
}

// src/engine/restore/open-backup.ts
import { lstat as lstat4, open as open3 } from "node:fs/promises";
import { join as join6 } from "node:path";

// src/engine/format/any-manifest.ts
function parseAnyManifest(text, file) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw new LicenseBackupError(
      "BACKUP_CORRUPT",
      `${file} is not a valid license-backup manifest: it is not JSON.`,
      {
        file
      }
    );
  }
  if (isObject(value) && value["format"] === FORMAT_V2)
    return { format: "v2", manifest: parseManifestV2(value, file) };
  return { format: "v1", manifest: parseManifest(text, file) };
}

// src/engine/restore/verify-backup.ts
import { createHash as createHash3 } from "node:crypto";
import { createReadStream as createReadStream2 } from "node:fs";
import { lstat as lstat3 } from "node:fs/promises";
import { join as join5 } from "node:path";

// src/engine/io/input-file.ts
import { constants as constants2 } from "node:fs";
import { open as open2 } from "node:fs/promises";
var InputFileError = class extends Error {
  constructor(file, reason, code, cause) {
    super(`${file} ${reason}`, cause === void 0 ? void 0 : { cause });
    this.file = file;
    this.reason = reason;
    this.code = code;
    this.name = "InputFileError";
  }
  file;
  reason;
  code;
};
var READ_FLAGS = constants2.O_RDONLY | (constants2.O_NONBLOCK ?? 0) | (constants2.O_NOCTTY ?? 0);
async function openInputFile(file, options = {}) {
  let handle;
  try {
    handle = await open2(file, READ_FLAGS | (options.noFollow ? constants2.O_NOFOLLOW : 0));
  } catch (error) {
    throw openFailure(file, error, options);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new InputFileError(file, `is ${kindOf(stats)}, not a regular file`);
    if (options.maxBytes !== void 0 && stats.size > options.maxBytes) {
      throw new InputFileError(file, `is ${stats.size} bytes, over the ${options.maxBytes}-byte limit`);
    }
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
async function readInputFile(file, options = {}) {
  const { handle } = await openInputFile(file, options);
  try {
    return await handle.readFile("utf8");
  } catch (error) {
    throw openFailure(file, error, options);
  } finally {
    await handle.close();
  }
}
function openFailure(file, error, options) {
  const code = error.code;
  if (typeof code !== "string") return error;
  if (code === "ENOENT") return new InputFileError(file, "does not exist", code, error);
  if (code === "ELOOP" && options.noFollow) return new InputFileError(file, "is a symbolic link", code, error);
  if (code === "EACCES" || code === "EPERM")
    return new InputFileError(file, `cannot be read (${code}: no permission)`, code, error);
  return new InputFileError(file, `cannot be read (${code})`, code, error);
}
function kindOf(stats) {
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isDirectory()) return "a folder";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

// src/engine/restore/manifest-bounds.ts
import { lstat as lstat2 } from "node:fs/promises";
import { join as join3 } from "node:path";
var MANIFEST_BYTES_PER_PACK_BYTE = 8;
var MANIFEST_ALLOWANCE_BYTES = 32 * 1024 * 1024;
var TAR_BLOCK = 512;
var PACK_NAMES = [PACK_FILE, ENCRYPTED_PACK_FILE, ...PACK_FILES_V2];
function manifestByteLimit(packBytes2) {
  return MANIFEST_ALLOWANCE_BYTES + MANIFEST_BYTES_PER_PACK_BYTE * packBytes2;
}
async function largestPackSize(path) {
  let largest = 0;
  for (const name of PACK_NAMES) {
    const info = await lstat2(join3(path, name)).catch(() => void 0);
    if (info?.isFile()) largest = Math.max(largest, info.size);
  }
  return largest;
}
function membersBeyondPack(manifest, packBytes2) {
  const count = manifest.licenses.length;
  if (count * TAR_BLOCK <= packBytes2) return void 0;
  return `its manifest lists ${count} licenses, which cannot fit in its ${packBytes2}-byte pack ${manifest.pack.file} (each takes at least ${TAR_BLOCK} bytes)`;
}

// src/engine/restore/read-pack-v2.ts
import { createHash as createHash2 } from "node:crypto";
import { createReadStream } from "node:fs";
import { join as join4 } from "node:path";

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
  const corrupt2 = (problem) => new LicenseBackupError("BACKUP_CORRUPT", `${where} is not a valid pack index: ${problem}.`, {
    file: where
  });
  let value;
  try {
    value = JSON.parse(data.toString("utf8"));
  } catch {
    throw corrupt2("it is not JSON");
  }
  if (!isObject(value)) throw corrupt2("it is not a JSON object");
  const licenses = value["licenses"];
  const restricted = value["restricted"];
  if (!Array.isArray(licenses)) throw corrupt2("licenses is not a list");
  if (!Array.isArray(restricted)) throw corrupt2("restricted is not a list");
  licenses.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry["jti"] !== "string" || typeof entry["key_id"] !== "string" || typeof entry["path"] !== "string" || !isSha256(entry["sha256"]) || !isSize(entry["size"])) {
      throw corrupt2(`licenses[${i}] is malformed`);
    }
  });
  restricted.forEach((entry, i) => {
    if (!isObject(entry) || typeof entry["jti"] !== "string" || typeof entry["key_id"] !== "string" || entry["title"] !== void 0 && typeof entry["title"] !== "string") {
      throw corrupt2(`restricted[${i}] is malformed`);
    }
  });
  return { licenses, restricted };
}

// src/engine/restore/read-pack-v2.ts
async function* readPackV2(context, signal, known) {
  const { path, manifest } = context;
  const packFile = join4(path, manifest.pack.file);
  const entries = [];
  const seen = /* @__PURE__ */ new Set();
  let index;
  for await (const member of readTar(await tarBytes(context, packFile), {
    file: packFile,
    maxMemberSize: (name) => name === INDEX_MEMBER ? MAX_MANIFEST_BYTES : MAX_LICENSE_BYTES,
    ...signal ? { signal } : {}
  })) {
    const where = `member ${JSON.stringify(member.name)} of ${packFile}`;
    if (index !== void 0)
      throw corrupt(path, `${where} follows the pack's index, which must be its last member`);
    if (member.name === INDEX_MEMBER) {
      index = parseIndex(member.data, `${INDEX_MEMBER} in ${packFile}`);
      continue;
    }
    const unsafe = pathProblem(member.name);
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`);
    const key = nameKey(member.name);
    if (seen.has(key)) throw corrupt(path, `${where} appears twice (${SAME_NAME})`);
    seen.add(key);
    if (entries.length >= Math.min(manifest.counts.licenses, MAX_LICENSES))
      throw corrupt(
        path,
        `${where} is one more license than the ${manifest.counts.licenses} its manifest counts`
      );
    const sha256 = createHash2("sha256").update(member.data).digest("hex");
    const license = parseLicense(member.data.toString("utf8"), `${member.name} (in the backup at ${path})`);
    const entry = {
      jti: license.jti,
      key_id: license.keyId,
      path: member.name,
      sha256,
      size: member.size
    };
    const expected = known?.[entries.length];
    if (known && !(expected && sameEntry(expected, entry)))
      throw corrupt(
        path,
        `${where} is not the member the first reading found there (the pack changed while it was read)`
      );
    entries.push(entry);
    yield { entry, license };
  }
  if (index === void 0) throw corrupt(path, `its pack has no ${INDEX_MEMBER}`);
  checkIndex(path, manifest, index, entries);
  return index;
}
function checkIndex(path, manifest, index, entries) {
  if (entries.length !== manifest.counts.licenses)
    throw corrupt(
      path,
      `its pack holds ${entries.length} licenses, its manifest counts ${manifest.counts.licenses}`
    );
  if (index.licenses.length !== entries.length)
    throw corrupt(
      path,
      `its pack index lists ${index.licenses.length} licenses, the pack holds ${entries.length}`
    );
  const ids = /* @__PURE__ */ new Set();
  for (const [i, entry] of entries.entries()) {
    if (!sameEntry(index.licenses[i], entry))
      throw corrupt(
        path,
        `its pack index does not match member ${JSON.stringify(entry.path)} (its license ID, key ID, name, size or SHA-256 differ)`
      );
    if (ids.has(entry.jti)) throw corrupt(path, `license ID ${entry.jti} is in its pack twice`);
    ids.add(entry.jti);
  }
  if (index.restricted.length !== manifest.counts.restricted)
    throw corrupt(
      path,
      `its pack index lists ${index.restricted.length} restricted licenses, its manifest counts ${manifest.counts.restricted}`
    );
}
function sameEntry(a, b) {
  return a.jti === b.jti && a.key_id === b.key_id && a.path === b.path && a.sha256 === b.sha256 && a.size === b.size;
}
async function tarBytes(context, packFile) {
  const { manifest } = context;
  let source = createReadStream(packFile);
  if (manifest.encryption !== null) {
    if (!context.identity) {
      ;
      source.destroy();
      throw new LicenseBackupError(
        "CONFIG_INVALID",
        `The backup at ${context.path} is encrypted (age): give the age identity in ${option("identity")}.`,
        { file: context.path }
      );
    }
    const raw = source;
    source = await decryptAge(raw, context.identity, { file: packFile }).catch((error) => {
      raw.destroy();
      throw error;
    });
  }
  if (manifest.compression === "gzip") source = gunzipBounded(source, manifest.pack.tar_size, packFile);
  return exactly(source, manifest.pack.tar_size, context.path, packFile);
}
async function* exactly(source, size, path, file) {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > size)
      throw corrupt(path, `${file} holds more than the ${size} tar bytes its manifest declares`);
    yield chunk;
  }
  if (total !== size)
    throw corrupt(path, `${file} holds ${total} tar bytes, its manifest declares ${size} (truncated)`);
}

// src/engine/restore/verify-backup.ts
var MAX_MANIFEST_BYTES = 512 * 1024 * 1024;
var MAX_LICENSES = 1e7;
var VERIFY_AHEAD = 256;
async function verifyBackup(path, options) {
  const opened = options.opened ?? await openBackup(path, {});
  const manifest = opened.manifest;
  if (opened.format === "v1")
    checkPattern2(path, opened.manifest.licenses, opened.manifest.pattern, options.pattern);
  const packFile = join5(path, manifest.pack.file);
  await checkPackDigest(path, packFile, manifest);
  const total = opened.format === "v1" ? opened.manifest.licenses.length : opened.manifest.counts.licenses;
  let done = 0;
  const checks = [];
  const check = (license) => {
    const checked = options.verifier.verify(license);
    checked.catch(() => {
    });
    checks.push(checked);
    if (++done % 1e3 === 0) options.onProgress?.(done, total);
    return checks.length >= VERIFY_AHEAD ? checks.shift() : Promise.resolve();
  };
  if (opened.format === "v1") {
    const context2 = { path, packFile, manifest: opened.manifest, identity: options.identity };
    for await (const { license } of readMembers(context2, options.signal)) await check(license);
    for (const pending of checks) await pending;
    return {
      path,
      opened,
      entries: opened.manifest.licenses,
      restricted: opened.manifest.restricted.length,
      licenses: (signal) => readMembers(context2, signal)
    };
  }
  const context = { path, manifest: opened.manifest, identity: options.identity };
  const reading = readPackV2(context, options.signal);
  let step = await reading.next();
  const entries = [];
  while (!step.done) {
    entries.push(step.value.entry);
    await check(step.value.license);
    step = await reading.next();
  }
  for (const pending of checks) await pending;
  checkPattern2(path, entries, opened.manifest.pattern, options.pattern);
  checkFilesAreNotFolders(path, new Map(entries.map((entry) => [nameKey(entry.path), entry.path])));
  return {
    path,
    opened,
    entries,
    restricted: step.value.restricted.length,
    licenses: async function* (signal) {
      yield* readPackV2(context, signal, entries);
    }
  };
}
async function readManifestBytes(path) {
  const file = join5(path, MANIFEST_FILE);
  const { handle, stats } = await openManifest(path, file);
  try {
    if (stats.size > MAX_MANIFEST_BYTES) {
      throw corrupt(
        path,
        `its ${MANIFEST_FILE} is ${stats.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte cap`
      );
    }
    const packBytes2 = await largestPackSize(path);
    if (stats.size > manifestByteLimit(packBytes2)) {
      throw corrupt(
        path,
        `its ${MANIFEST_FILE} is ${stats.size} bytes, over the ${manifestByteLimit(packBytes2)}-byte cap for a ${packBytes2}-byte pack (a manifest lists what its pack holds)`
      );
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
async function openManifest(path, file) {
  try {
    return await openInputFile(file, { noFollow: true });
  } catch (error) {
    if (!(error instanceof InputFileError)) throw error;
    if (error.code === "ENOENT") {
      throw corrupt(
        path,
        `it has no ${MANIFEST_FILE}, so it is not a backup (a backup is committed by its manifest, written last)`
      );
    }
    const problem = error.code === void 0 || error.code === "ELOOP" ? `is not a regular file (it ${error.reason})` : error.reason;
    throw corrupt(path, `its ${MANIFEST_FILE} ${problem}`);
  }
}
function checkEntries(path, manifest) {
  if (manifest.licenses.length > MAX_LICENSES) {
    throw corrupt(
      path,
      `its manifest lists ${manifest.licenses.length} licenses, over the cap of ${MAX_LICENSES}`
    );
  }
  const names = /* @__PURE__ */ new Map();
  const ids = /* @__PURE__ */ new Set();
  for (const entry of manifest.licenses) {
    const where = `the manifest's entry ${JSON.stringify(entry.path)}`;
    const unsafe = pathProblem(entry.path);
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`);
    if (entry.size > MAX_LICENSE_BYTES)
      throw corrupt(path, `${where} declares ${entry.size} bytes, over the ${MAX_LICENSE_BYTES}-byte cap`);
    const key = nameKey(entry.path);
    if (names.has(key)) throw corrupt(path, `${where} is listed twice (${SAME_NAME})`);
    if (ids.has(entry.jti)) throw corrupt(path, `license ID ${entry.jti} is listed twice in its manifest`);
    names.set(key, entry.path);
    ids.add(entry.jti);
  }
  checkFilesAreNotFolders(path, names);
}
var SAME_NAME = "names are compared as file systems compare them: case, Unicode normalisation and invisible characters aside";
function checkFilesAreNotFolders(path, names) {
  for (const [key, name] of names) {
    for (let slash = key.indexOf("/"); slash >= 0; slash = key.indexOf("/", slash + 1)) {
      const file = names.get(key.slice(0, slash));
      if (file === void 0) continue;
      throw corrupt(
        path,
        `the manifest's entry ${JSON.stringify(name)} is inside ${JSON.stringify(file)}, which is a license file too (a file cannot also be a folder)`
      );
    }
  }
}
function checkPattern2(path, entries, recorded, option2) {
  const pattern = option2 ?? recorded ?? DEFAULT_PATTERN;
  const matcher = compileGlob(pattern);
  const outside = entries.find((entry) => !matcher.test(entry.path));
  if (outside === void 0) return;
  const member = JSON.stringify(outside.path);
  if (option2 === void 0 && recorded !== void 0) {
    throw corrupt(
      path,
      `the manifest's entry ${member} does not match the pattern ${JSON.stringify(pattern)} the backup records it was made with`
    );
  }
  const whose = option2 === void 0 ? "the default pattern, since the backup records none" : "the restore's pattern option";
  throw new LicenseBackupError(
    "CONFIG_INVALID",
    `The backup at ${path} holds ${member}, which does not match ${JSON.stringify(pattern)} (${whose}). A restore writes only license files matching its pattern, so nothing was restored. If the backup's licenses are named so, set the pattern option to match them; otherwise do not restore this backup.`,
    { file: path }
  );
}
async function checkPackDigest(path, packFile, manifest) {
  let info;
  try {
    info = await lstat3(packFile);
  } catch {
    throw corrupt(path, `the pack ${manifest.pack.file} named by its manifest is missing`);
  }
  if (!info.isFile()) throw corrupt(path, `the pack ${manifest.pack.file} is not a regular file`);
  if (info.size !== manifest.pack.size) {
    throw corrupt(
      path,
      `the pack ${manifest.pack.file} is ${info.size} bytes, the manifest says ${manifest.pack.size} (truncated or replaced)`
    );
  }
  const beyond = "licenses" in manifest ? membersBeyondPack(manifest, info.size) : void 0;
  if (beyond) throw corrupt(path, beyond);
  const hash = createHash3("sha256");
  for await (const chunk of createReadStream2(packFile)) hash.update(chunk);
  if (hash.digest("hex") !== manifest.pack.sha256) {
    throw corrupt(
      path,
      `the SHA-256 of ${manifest.pack.file} does not match its manifest (the pack was changed or damaged)`
    );
  }
}
async function* readMembers(context, signal) {
  const { path, manifest } = context;
  const byName = new Map(manifest.licenses.map((entry) => [entry.path, entry]));
  const seen = /* @__PURE__ */ new Set();
  const seenKeys = /* @__PURE__ */ new Set();
  const source = await packBytes(context);
  for await (const member of readTar(source, {
    file: join5(path, manifest.pack.file),
    maxMemberSize: MAX_LICENSE_BYTES,
    signal
  })) {
    const where = `member ${JSON.stringify(member.name)} of ${join5(path, manifest.pack.file)}`;
    const unsafe = pathProblem(member.name);
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`);
    const entry = byName.get(member.name);
    if (!entry) throw corrupt(path, `${where} is not listed in the manifest`);
    const key = nameKey(member.name);
    if (seen.has(member.name) || seenKeys.has(key)) {
      throw corrupt(path, `${where} appears twice (${SAME_NAME})`);
    }
    seen.add(member.name);
    seenKeys.add(key);
    if (member.size !== entry.size)
      throw corrupt(path, `${where} is ${member.size} bytes, the manifest says ${entry.size}`);
    if (createHash3("sha256").update(member.data).digest("hex") !== entry.sha256) {
      throw corrupt(path, `the SHA-256 of ${where} does not match the manifest`);
    }
    const license = parseLicense(member.data.toString("utf8"), `${member.name} (in the backup at ${path})`);
    if (license.jti !== entry.jti || license.keyId !== entry.key_id) {
      throw corrupt(
        path,
        `${where} holds license ${license.jti} (key ID ${license.keyId}); the manifest says ${entry.jti} (key ID ${entry.key_id})`
      );
    }
    yield { entry, license };
  }
  for (const entry of manifest.licenses) {
    if (!seen.has(entry.path))
      throw corrupt(
        path,
        `license ${entry.jti} (${entry.path}) listed in the manifest is missing from the pack`
      );
  }
}
async function packBytes(context) {
  const stream = createReadStream2(context.packFile);
  if (context.manifest.encryption === null) return stream;
  if (!context.identity) {
    stream.destroy();
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The backup at ${context.path} is encrypted (age): give the age identity in ${option("identity")}.`,
      { file: context.path }
    );
  }
  try {
    return await decryptAge(stream, context.identity, { file: context.packFile });
  } catch (error) {
    stream.destroy();
    throw error;
  }
}
function corrupt(path, problem) {
  return new LicenseBackupError(
    "BACKUP_CORRUPT",
    `The backup at ${path} cannot be trusted: ${problem}. Nothing was restored; restore from another backup.`,
    { file: path }
  );
}

// src/engine/restore/open-backup.ts
var NOT_AUTHENTICATED_WARNING = `The backup is not authenticated: without ${option("signers")}, anyone who can change the backup folder can change what is restored. Sign backups with an SSH key and give the allowed signers in ${option("signers")}.`;
async function openBackup(path, trust, now = Date.now()) {
  const text = await readManifestBytes(path);
  const file = join6(path, MANIFEST_FILE);
  const opened = parse(path, text.toString("utf8"), file);
  const created = Date.parse(opened.manifest.created);
  if (trust.maxAgeMs !== void 0 && !(now - created <= trust.maxAgeMs)) {
    throw untrusted(
      file,
      `it was created ${opened.manifest.created}, more than max-age (${Math.round(trust.maxAgeMs / 36e5)} hours) ago; an old backup may be a rollback. Restore a newer backup, or raise max-age`
    );
  }
  if (opened.format === "v2")
    opened.origin = describeOrigin(opened.manifest.origin, opened.manifest.created, now);
  if (trust.signers === void 0) return opened;
  if (opened.format === "v1")
    throw untrusted(
      file,
      `it is a license-backup/v1 backup, which cannot be signed, and signers (${trust.signers}) is set`
    );
  opened.signer = await checkSignature(path, text, trust.signers);
  return opened;
}
function parse(path, text, file) {
  const parsed = parseAnyManifest(text, file);
  if (parsed.format === "v1") checkEntries(path, parsed.manifest);
  return { path, ...parsed };
}
async function readBounded(file, max) {
  const handle = await open3(file, "r");
  try {
    const data = await handle.readFile();
    if (data.length > max) throw new RangeError(`${file} is over ${max} bytes`);
    return data;
  } finally {
    await handle.close();
  }
}
async function checkSignature(path, manifest, signersFile) {
  const signers = parseAllowedSigners(await readSigners(signersFile), signersFile);
  const sigFile = join6(path, SIGNATURE_FILE);
  const info = await lstat4(sigFile).catch(() => void 0);
  if (!info)
    throw untrusted(
      sigFile,
      `the backup is not signed (no ${SIGNATURE_FILE}), and signers (${signersFile}) is set`
    );
  if (!info.isFile() || info.size > MAX_SIGNATURE_BYTES)
    throw untrusted(sigFile, "it is not a regular file of a signature's size");
  let signature;
  try {
    signature = parseSignature((await readBounded(sigFile, MAX_SIGNATURE_BYTES)).toString("utf8"));
  } catch (error) {
    if (error instanceof WireError || error instanceof RangeError)
      throw untrusted(sigFile, `it is not a valid SSH signature (${error.message})`);
    throw error;
  }
  const found = findSigner(signers, signature.publicBlob, NAMESPACE, Date.now());
  if ("problem" in found)
    throw untrusted(
      sigFile,
      `it is signed by the key ${fingerprint(signature.publicBlob)}, which ${signersFile} does not allow: ${found.problem}`
    );
  const problem = signatureProblem(signature, manifest);
  if (problem) throw untrusted(sigFile, problem);
  return found.signer.principals;
}
async function readSigners(file) {
  const info = await lstat4(file).catch(() => void 0);
  if (!info?.isFile())
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The signers file ${file} is missing or not a regular file; give the path of an allowed_signers file.`,
      { file }
    );
  if (info.size > MAX_MANIFEST_BYTES)
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The signers file ${file} is ${info.size} bytes: too large for an allowed_signers file.`,
      { file }
    );
  return (await readBounded(file, MAX_MANIFEST_BYTES)).toString("utf8");
}
function untrusted(file, reason) {
  return new LicenseBackupError(
    "BACKUP_UNTRUSTED",
    `The backup's ${file} is not trusted: ${reason}. Nothing was written and no service was called.`,
    { file }
  );
}
function announceBackup(opened, trust, emit) {
  emit({
    type: "BACKUP_OPENED",
    path: opened.path,
    format: opened.manifest.format,
    ...opened.origin ? { origin: opened.origin } : {},
    ...opened.signer ? { signer: opened.signer } : {}
  });
  if (trust.signers === void 0) emit({ type: "WARNING", message: NOT_AUTHENTICATED_WARNING });
}

// src/engine/catalog/messages.ts
function restrictedLicenseMessage(entry) {
  if (entry.title !== void 0 && entry.title !== "") {
    return `${JSON.stringify(entry.title)} (key ID ${entry.key_id}) cannot be backed up: its owner does not allow it`;
  }
  const license = entry.jti === void 0 ? "" : `, license ID ${entry.jti}`;
  return `A license (key ID ${entry.key_id}${license}) cannot be backed up: its owner does not allow it`;
}
function restrictedSummaryMessage(count) {
  if (count === 1) return "1 license cannot be backed up: its owner does not allow it";
  return `${count} licenses cannot be backed up: their owners do not allow it`;
}

// src/engine/format/ssh/signing-key.ts
import { createPrivateKey, createPublicKey as createPublicKey2 } from "node:crypto";
var BEGIN2 = "-----BEGIN OPENSSH PRIVATE KEY-----";
var END2 = "-----END OPENSSH PRIVATE KEY-----";
var MAGIC2 = Buffer.from("openssh-key-v1\0", "latin1");
function parseSigningKey(text, source) {
  const invalid2 = (problem) => new LicenseBackupError(
    "CONFIG_INVALID",
    `The signing key in ${source} ${problem}. Give an unencrypted OpenSSH Ed25519 private key, as \`ssh-keygen -t ed25519 -N ''\` writes it.`
  );
  const trimmed = text.replace(/\r/g, "").trim();
  const pem = /^-----BEGIN (RSA|DSA|EC) PRIVATE KEY-----/.exec(trimmed);
  if (pem) throw invalid2(`is a PEM ${pem[1]} key; only Ed25519 keys sign backups`);
  if (!trimmed.startsWith(BEGIN2) || !trimmed.endsWith(END2))
    throw invalid2("is not an OpenSSH private key (it must start with " + BEGIN2 + ")");
  const body = trimmed.slice(BEGIN2.length, -END2.length).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw invalid2("is not valid base64 between its armor lines");
  const bytes = Buffer.from(body, "base64");
  try {
    return readKey(bytes, invalid2);
  } catch (error) {
    if (error instanceof WireError) throw invalid2(`is malformed (${error.message})`);
    throw error;
  }
}
function readKey(bytes, invalid2) {
  if (!bytes.subarray(0, MAGIC2.length).equals(MAGIC2)) throw invalid2("is not in the openssh-key-v1 format");
  const reader = new WireReader(bytes.subarray(MAGIC2.length));
  const cipher = reader.text();
  const kdf = reader.text();
  reader.string();
  if (cipher !== "none" || kdf !== "none")
    throw invalid2("is protected by a passphrase; a job cannot type one: use a key without a passphrase");
  if (reader.uint32() !== 1) throw invalid2("holds more than one key");
  const publicBlob = reader.string();
  const publicType = new WireReader(publicBlob).text();
  if (publicType !== ED25519) throw invalid2(`is a ${publicType} key; only Ed25519 keys sign backups`);
  const section = new WireReader(reader.string());
  if (!reader.done) throw invalid2("has data after its key");
  if (section.uint32() !== section.uint32()) throw invalid2("is damaged (its check numbers differ)");
  if (section.text() !== ED25519) throw invalid2("is damaged (its private part is not Ed25519)");
  const publicKey = section.string();
  const secret = section.string();
  section.string();
  const padding = section.rest();
  if (publicKey.length !== 32 || secret.length !== 64 || !secret.subarray(32).equals(publicKey))
    throw invalid2("is damaged (its Ed25519 key is not 32 + 32 bytes)");
  if (!padding.every((byte, i) => byte === i + 1) || padding.length >= 8)
    throw invalid2("is damaged (its padding is wrong)");
  if (!ed25519Blob(publicKey).equals(publicBlob)) throw invalid2("is damaged (its two public keys differ)");
  const privateKey = createPrivateKey({
    key: {
      kty: "OKP",
      crv: "Ed25519",
      d: secret.subarray(0, 32).toString("base64url"),
      x: publicKey.toString("base64url")
    },
    format: "jwk"
  });
  const derived = createPublicKey2(privateKey).export({ format: "jwk" }).x;
  if (derived !== publicKey.toString("base64url"))
    throw invalid2("is damaged (its private key does not match its public key)");
  return { privateKey, publicBlob, publicKeyLine: `${ED25519} ${publicBlob.toString("base64")}` };
}

// src/engine/service/retry.ts
var DEFAULT_RETRY = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 3e4 };
function isRetryableStatus(status) {
  return status === 408 || status === 429 || status >= 500 && status <= 599;
}
function backoffDelay(attempt, policy, random) {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
function parseRetryAfter(value, now) {
  if (value === null) return void 0;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1e3;
  const at = /[A-Za-z]{3}/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(at)) return void 0;
  return Math.max(0, at - now);
}

export {
  ERROR_CODES,
  LicenseBackupError,
  isLicenseBackupError,
  cancelled,
  throwIfAborted,
  errnoOf,
  asEngineError,
  internalError,
  ENGINE_OPTIONS,
  option,
  turnOn,
  capitalized,
  FORMAT,
  MANIFEST_FILE,
  PACK_FILE,
  ENCRYPTED_PACK_FILE,
  crashPoint,
  foldsCase,
  restrictToOwner,
  fileIO,
  writeAll,
  writeAllSync,
  fsyncFile,
  fsyncDir,
  writeFileAtomic,
  isAtomicTemp,
  DEFAULT_PATTERN,
  compileGlob,
  serializeManifest,
  writeManifest,
  parseManifest,
  FORMAT_V2,
  SIGNATURE_FILE,
  COMPRESSIONS,
  packFileV2,
  PACK_FILES_V2,
  serializeManifestV2,
  parseManifestV2,
  NAMESPACE,
  MAX_SIGNATURE_BYTES,
  signMessage,
  parseSignature,
  signatureProblem,
  fingerprint,
  manifestByteLimit,
  InputFileError,
  readInputFile,
  checkRecipients,
  encryptingSink,
  decryptAge,
  TAR_END,
  tarMember,
  tarMemberSize,
  writeTarMember,
  tarHeader,
  tarPadding,
  readTar,
  LICENSE_ALGORITHMS,
  parseLicense,
  invalidLicense,
  STATE_DIR,
  nameKey,
  pathProblem,
  isStateDirName,
  MAX_LICENSE_BYTES,
  readLicenseFileSync,
  defaultOrigin,
  describeOrigin,
  parseAnyManifest,
  parseAllowedSigners,
  findSigner,
  NOT_AUTHENTICATED_WARNING,
  openBackup,
  announceBackup,
  compressingSink,
  INDEX_MEMBER,
  indexChunks,
  parseIndex,
  MAX_MANIFEST_BYTES,
  verifyBackup,
  DEFAULT_RETRY,
  isRetryableStatus,
  backoffDelay,
  parseRetryAfter,
  restrictedLicenseMessage,
  restrictedSummaryMessage,
  parseSigningKey
};
