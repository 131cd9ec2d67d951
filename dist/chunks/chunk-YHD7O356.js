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
  // Beyond SPEC 6: documented in docs/errors.md.
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
  "service.token"
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

// src/engine/io/crash-points.ts
var passed = /* @__PURE__ */ new Map();
function crashPoint(name) {
  const count = (passed.get(name) ?? 0) + 1;
  passed.set(name, count);
  const target = process.env["LICENSE_BACKUP_CRASH_AT"];
  if (!target) return;
  const [point, nth] = target.split("#");
  if (point !== name) return;
  if (nth !== void 0 && Number(nth) !== count) return;
  process.kill(process.pid, "SIGKILL");
}

// src/engine/io/durable.ts
import { randomBytes } from "node:crypto";
import { dirname } from "node:path";

// src/engine/io/file-io.ts
import { AsyncLocalStorage } from "node:async_hooks";
import { execFile } from "node:child_process";
import * as fs from "node:fs/promises";
import { closeSync, mkdirSync, openSync, renameSync, writeSync } from "node:fs";
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
    execFile("sync", ["-f", dir], (error) => resolve(error === null));
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
  const handle = await fileIO().open(file, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
async function fsyncDir(dir) {
  await fsyncFile(dir);
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
function stringArray(value) {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
function isSha256(value) {
  return typeof value === "string" && /^[0-9a-f]{64}$/.test(value);
}
function isSize(value) {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
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

// src/engine/format/tar-reader.ts
async function* readTar(source, options = {}) {
  const file = options.file ?? "the pack";
  const maxMemberSize = options.maxMemberSize ?? 1024 * 1024;
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
      if (size > maxMemberSize)
        throw corrupt2(`${at} (${JSON.stringify(name)}) is ${size} bytes, over the ${maxMemberSize}-byte cap`);
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

// src/engine/store/read.ts
import { closeSync as closeSync2, constants, fstatSync, openSync as openSync2, readSync } from "node:fs";
import { join as join2 } from "node:path";
var MAX_LICENSE_BYTES = 1024 * 1024;
var nodeFileSystem = { openSync: openSync2 };
var OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
async function readLicenseFile(store, relative, fileSystem = nodeFileSystem) {
  return readLicenseFileSync(store, relative, fileSystem);
}
function readLicenseFileSync(store, relative, fileSystem = nodeFileSystem) {
  let fd;
  try {
    fd = fileSystem.openSync(join2(store, relative), OPEN_FLAGS);
  } catch (error) {
    throw unreadable(relative, store, error);
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

// src/engine/store/walk.ts
import { readdirSync } from "node:fs";
import { stat as stat2 } from "node:fs/promises";
import { join as join3 } from "node:path";
var STATE_DIR = ".license-backup";
var YIELD_EVERY_FOLDERS = 64;
async function listLicenseFiles(store, pattern = DEFAULT_PATTERN, signal) {
  await checkStoreDir(store);
  const matcher = compileGlob(pattern);
  const found = [];
  let folders = 0;
  const walk = async (relativeDir) => {
    if (signal?.aborted) return;
    const entries = readdirSync(relativeDir === "" ? store : join3(store, relativeDir), {
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
  checkCaseCollisions(found, store);
  return found;
}
async function checkStoreDir(store) {
  let info;
  try {
    info = await stat2(store);
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
function checkCaseCollisions(paths, store) {
  const capitalFolds = /* @__PURE__ */ new Set();
  for (const path of paths) {
    const folded = path.toLowerCase();
    if (folded !== path) capitalFolds.add(folded);
  }
  if (capitalFolds.size === 0) return;
  const seen = /* @__PURE__ */ new Map();
  for (const path of paths) {
    const folded = path.toLowerCase();
    if (!capitalFolds.has(folded)) continue;
    const other = seen.get(folded);
    if (other !== void 0) {
      throw new LicenseBackupError(
        "STORE_INVALID",
        `${other} and ${path} in the store ${store} differ only by case; a backup could not be restored on every file system. Rename or remove one of them.`,
        { file: path }
      );
    }
    seen.set(folded, path);
  }
}

// src/engine/restore/verify-backup.ts
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
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
import { join as join4 } from "node:path";
var MANIFEST_BYTES_PER_PACK_BYTE = 8;
var MANIFEST_ALLOWANCE_BYTES = 32 * 1024 * 1024;
var TAR_BLOCK = 512;
var PACK_NAMES = [PACK_FILE, ENCRYPTED_PACK_FILE];
function manifestByteLimit(packBytes2) {
  return MANIFEST_ALLOWANCE_BYTES + MANIFEST_BYTES_PER_PACK_BYTE * packBytes2;
}
async function largestPackSize(path) {
  let largest = 0;
  for (const name of PACK_NAMES) {
    const info = await lstat2(join4(path, name)).catch(() => void 0);
    if (info?.isFile()) largest = Math.max(largest, info.size);
  }
  return largest;
}
function membersBeyondPack(manifest, packBytes2) {
  const count = manifest.licenses.length;
  if (count * TAR_BLOCK <= packBytes2) return void 0;
  return `its manifest lists ${count} licenses, which cannot fit in its ${packBytes2}-byte pack ${manifest.pack.file} (each takes at least ${TAR_BLOCK} bytes)`;
}

// src/engine/restore/verify-backup.ts
var MAX_MANIFEST_BYTES = 512 * 1024 * 1024;
var MAX_LICENSES = 1e7;
var VERIFY_AHEAD = 256;
async function verifyBackup(path, options) {
  const manifest = await readManifest(path);
  const packFile = join5(path, manifest.pack.file);
  await checkPackDigest(path, packFile, manifest);
  const context = { path, packFile, manifest, identity: options.identity };
  let done = 0;
  const checks = [];
  for await (const { license } of readMembers(context, options.signal)) {
    const check = options.verifier.verify(license);
    check.catch(() => {
    });
    checks.push(check);
    if (checks.length >= VERIFY_AHEAD) await checks.shift();
    if (++done % 1e3 === 0) options.onProgress?.(done, manifest.licenses.length);
  }
  for (const check of checks) await check;
  return { path, manifest, licenses: (signal) => readMembers(context, signal) };
}
async function readManifest(path) {
  const file = join5(path, MANIFEST_FILE);
  const { handle, stats } = await openManifest(path, file);
  let text;
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
    text = await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
  const manifest = parseManifest(text, file);
  checkEntries(path, manifest);
  return manifest;
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
  const names = /* @__PURE__ */ new Set();
  const ids = /* @__PURE__ */ new Set();
  for (const entry of manifest.licenses) {
    const where = `the manifest's entry ${JSON.stringify(entry.path)}`;
    const unsafe = unsafeName(entry.path);
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`);
    if (entry.size > MAX_LICENSE_BYTES)
      throw corrupt(path, `${where} declares ${entry.size} bytes, over the ${MAX_LICENSE_BYTES}-byte cap`);
    const folded = entry.path.toLowerCase();
    if (names.has(folded))
      throw corrupt(path, `${where} is listed twice (names are compared case-insensitively too)`);
    if (ids.has(entry.jti)) throw corrupt(path, `license ID ${entry.jti} is listed twice in its manifest`);
    names.add(folded);
    ids.add(entry.jti);
  }
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
  const beyond = membersBeyondPack(manifest, info.size);
  if (beyond) throw corrupt(path, beyond);
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(packFile)) hash.update(chunk);
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
  const seenFolded = /* @__PURE__ */ new Set();
  const source = await packBytes(context);
  for await (const member of readTar(source, {
    file: join5(path, manifest.pack.file),
    maxMemberSize: MAX_LICENSE_BYTES,
    signal
  })) {
    const where = `member ${JSON.stringify(member.name)} of ${join5(path, manifest.pack.file)}`;
    const unsafe = unsafeName(member.name);
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`);
    const entry = byName.get(member.name);
    if (!entry) throw corrupt(path, `${where} is not listed in the manifest`);
    const folded = member.name.toLowerCase();
    if (seen.has(member.name) || seenFolded.has(folded)) {
      throw corrupt(path, `${where} appears twice (names are compared case-insensitively too)`);
    }
    seen.add(member.name);
    seenFolded.add(folded);
    if (member.size !== entry.size)
      throw corrupt(path, `${where} is ${member.size} bytes, the manifest says ${entry.size}`);
    if (createHash("sha256").update(member.data).digest("hex") !== entry.sha256) {
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
  const stream = createReadStream(context.packFile);
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
function unsafeName(name) {
  if (name.startsWith("/")) return "has an absolute name";
  if (name.includes("\\")) return "has a backslash in its name";
  if (name.includes("\0")) return "has a NUL in its name";
  const segments = name.split("/");
  if (segments.some((s) => s === "..")) return "has a `..` in its name (it would escape the store)";
  if (segments.some((s) => s === "" || s === ".")) return "has an empty or `.` segment in its name";
  if (segments[0] === STATE_DIR) return `is inside the store's own ${STATE_DIR} folder`;
  return void 0;
}
function corrupt(path, problem) {
  return new LicenseBackupError(
    "BACKUP_CORRUPT",
    `The backup at ${path} cannot be trusted: ${problem}. Nothing was restored; restore from another backup.`,
    { file: path }
  );
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
  manifestByteLimit,
  InputFileError,
  readInputFile,
  checkRecipients,
  encryptingSink,
  decryptAge,
  crashPoint,
  fileIO,
  writeAll,
  writeAllSync,
  fsyncFile,
  fsyncDir,
  writeFileAtomic,
  isAtomicTemp,
  serializeManifest,
  writeManifest,
  parseManifest,
  TAR_END,
  tarMember,
  tarMemberSize,
  writeTarMember,
  readTar,
  LICENSE_ALGORITHMS,
  parseLicense,
  invalidLicense,
  MAX_LICENSE_BYTES,
  readLicenseFile,
  readLicenseFileSync,
  DEFAULT_PATTERN,
  compileGlob,
  STATE_DIR,
  listLicenseFiles,
  checkStoreDir,
  MAX_MANIFEST_BYTES,
  verifyBackup,
  unsafeName,
  restrictedLicenseMessage,
  restrictedSummaryMessage
};
