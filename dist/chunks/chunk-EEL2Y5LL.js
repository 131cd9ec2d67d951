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
  // Beyond SPEC 6: documented in docs/errors.md.
  "STORE_INVALID",
  "SERVICE_ERROR",
  "IO_ERROR",
  "CANCELLED"
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

// src/engine/format/manifest.ts
var FORMAT = "license-backup/v1";
var MANIFEST_FILE = "manifest.json";
var PACK_FILE = "licenses.tar";
var ENCRYPTED_PACK_FILE = "licenses.tar.age";

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

// src/engine/format/age.ts
var ageLibrary = () => import("./dist-LCTMS3ST.js");
async function checkRecipients(recipients) {
  if (recipients.length === 0) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      "encrypt-to is empty; give at least one age recipient (age1\u2026) or remove it."
    );
  }
  const { Encrypter } = await ageLibrary();
  const encrypter = new Encrypter();
  for (const recipient of recipients) {
    const bad = () => new LicenseBackupError(
      "CONFIG_INVALID",
      `encrypt-to holds ${JSON.stringify(recipient.slice(0, 80))}, which is not an age X25519 recipient (age1\u2026); use the public key that age-keygen printed.`
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
      `The age identity for ${file} is not an X25519 identity (it must start with AGE-SECRET-KEY-1); check the variable named by identity-env.`,
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
      `The age identity for ${file} is malformed; check the variable named by identity-env.`,
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
function globToRegExp(pattern) {
  if (pattern.length === 0 || pattern.startsWith("/") || pattern.split("/").includes("..")) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `The store pattern ${JSON.stringify(pattern)} is not a relative glob inside the store; use something like "${DEFAULT_PATTERN}".`
    );
  }
  const segments = pattern.split("/");
  let source = "";
  segments.forEach((segment, index) => {
    const last = index === segments.length - 1;
    if (segment === "**") {
      source += last ? ".*" : "(?:[^/]+/)*";
      return;
    }
    for (const char of segment) {
      if (char === "*") source += "[^/]*";
      else if (char === "?") source += "[^/]";
      else source += char.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
    }
    if (!last) source += "/";
  });
  return new RegExp(`^${source}$`, "u");
}

// src/engine/store/walk.ts
import { readdirSync } from "node:fs";
import { stat as stat2 } from "node:fs/promises";
import { join as join3 } from "node:path";
var STATE_DIR = ".license-backup";
var YIELD_EVERY_FOLDERS = 64;
async function listLicenseFiles(store, pattern = DEFAULT_PATTERN, signal) {
  await checkStoreDir(store);
  const matcher = globToRegExp(pattern);
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
    if (error instanceof LicenseBackupError) throw error;
    const code = error.code ?? "error";
    throw new LicenseBackupError(
      "IO_ERROR",
      `The store ${store} cannot be read (${code}); check its permissions.`,
      {
        file: store,
        cause: error
      }
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
    throw new LicenseBackupError("STORE_INVALID", `The store ${store} ${why}; check the store setting.`, {
      file: store,
      cause: error
    });
  }
  if (!info.isDirectory()) {
    throw new LicenseBackupError(
      "STORE_INVALID",
      `The store ${store} is not a directory; check the store setting.`,
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
  for (const option of splitOptions(text)) {
    const equals = option.indexOf("=");
    const name = (equals < 0 ? option : option.slice(0, equals)).toLowerCase();
    const value = equals < 0 ? "" : unquote(option.slice(equals + 1));
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
  return options.filter((option) => option !== "");
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
import { lstat as lstat3, open as open2 } from "node:fs/promises";
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
import { lstat as lstat2 } from "node:fs/promises";
import { join as join5 } from "node:path";

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
    const unsafe = unsafeName(member.name);
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`);
    const folded = member.name.toLowerCase();
    if (seen.has(folded))
      throw corrupt(path, `${where} appears twice (names are compared case-insensitively too)`);
    seen.add(folded);
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
        `The backup at ${context.path} is encrypted (age): name the environment variable that holds the age identity with \`identity-env\`.`,
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
      count: total,
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
  return {
    path,
    opened,
    count: entries.length,
    restricted: step.value.restricted.length,
    pattern: opened.manifest.pattern,
    licenses: async function* (signal) {
      yield* readPackV2(context, signal, entries);
    }
  };
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
    info = await lstat2(packFile);
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
      `The backup at ${context.path} is encrypted (age): name the environment variable that holds the age identity with \`identity-env\` on the restore step.`,
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

// src/engine/restore/open-backup.ts
var NOT_AUTHENTICATED_WARNING = "The backup is not authenticated: without `signers`, anyone who can change the backup folder can change what is restored. Sign backups (sign: { key-env: \u2026 }) and set signers to an allowed_signers file.";
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
async function readManifestBytes(path) {
  const file = join6(path, MANIFEST_FILE);
  const info = await lstat3(file).catch(() => void 0);
  if (!info)
    throw corrupt(
      path,
      `it has no ${MANIFEST_FILE}, so it is not a backup (a backup is committed by its manifest, written last)`
    );
  if (!info.isFile()) throw corrupt(path, `its ${MANIFEST_FILE} is not a regular file`);
  if (info.size > MAX_MANIFEST_BYTES)
    throw corrupt(path, `its ${MANIFEST_FILE} is ${info.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte cap`);
  return readBounded(file, MAX_MANIFEST_BYTES);
}
async function readBounded(file, max) {
  const handle = await open2(file, "r");
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
  const info = await lstat3(sigFile).catch(() => void 0);
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
  const info = await lstat3(file).catch(() => void 0);
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

export {
  ERROR_CODES,
  LicenseBackupError,
  isLicenseBackupError,
  cancelled,
  throwIfAborted,
  FORMAT,
  MANIFEST_FILE,
  PACK_FILE,
  ENCRYPTED_PACK_FILE,
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
  MAX_LICENSE_BYTES,
  readLicenseFile,
  readLicenseFileSync,
  DEFAULT_PATTERN,
  globToRegExp,
  STATE_DIR,
  listLicenseFiles,
  checkStoreDir,
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
  unsafeName,
  restrictedLicenseMessage,
  restrictedSummaryMessage,
  parseSigningKey
};
