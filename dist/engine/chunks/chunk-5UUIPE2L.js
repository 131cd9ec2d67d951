import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  crashPoint,
  nodeFileSystem,
  readLicenseInto,
  readLicenseText
} from "./chunk-6OPT7FQ4.js";
import {
  LicenseBackupError,
  message
} from "./chunk-GIVEWNVR.js";

// src/engine/verify-pool/verify-worker.ts
import { parentPort, workerData } from "node:worker_threads";

// packages/protocol/src/jws/signature.ts
import { createPublicKey, verify } from "node:crypto";
var JWS_ALGORITHMS = ["Ed25519", "EdDSA", "ES256"];
function importPublicKey(jwk) {
  if (jwk.d !== void 0) return void 0;
  try {
    return createPublicKey({ key: jwk, format: "jwk" });
  } catch {
    return void 0;
  }
}
function verifySignature(key, alg, data, signature) {
  if (signature.length !== 64) return false;
  try {
    if (alg === "Ed25519" || alg === "EdDSA")
      return key.asymmetricKeyType === "ed25519" && verify(null, data, key, signature);
    if (alg === "ES256")
      return key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1" && verify("sha256", data, { key, dsaEncoding: "ieee-p1363" }, signature);
  } catch {
  }
  return false;
}

// src/engine/verify-pool/read-batch.ts
import { hash } from "node:crypto";
import { join } from "node:path";

// packages/protocol/src/jws/key-choice.ts
var TrustedKeys = class {
  /** Choices by `alg` and `kid`, for the kids the set holds (so it never grows past 3 a key). */
  chosen = /* @__PURE__ */ new Map();
  kids;
  keys;
  // No parameter property: a read pool's thread runs this file by stripping its types (ADR 0217).
  constructor(keys) {
    this.keys = keys;
    this.kids = new Set(keys.map((key) => key.kid));
  }
  choose(alg, kid) {
    if (typeof kid !== "string" || !this.kids.has(kid)) return { refused: "no-key", candidates: 0 };
    const memo = `${String(alg)}\0${kid}`;
    let choice = this.chosen.get(memo);
    if (choice === void 0) {
      choice = this.decide(alg, kid);
      this.chosen.set(memo, choice);
    }
    return choice;
  }
  decide(alg, kid) {
    if (!JWS_ALGORITHMS.includes(alg))
      return { refused: "unsupported-alg", candidates: 0 };
    const candidates = this.keys.flatMap(
      (jwk2, index2) => usable(jwk2, alg, kid) ? [index2] : []
    );
    if (candidates.length > 1) return { refused: "ambiguous", candidates: candidates.length };
    const index = candidates[0];
    if (index === void 0) return { refused: "wrong-type", candidates: 0 };
    const jwk = this.keys[index];
    const key = importPublicKey(jwk);
    return key ? { key, jwk, index } : { refused: "unusable", candidates: 1 };
  }
};
function usable(jwk, alg, kid) {
  if (jwk.kid !== kid) return false;
  const ed = alg !== "ES256";
  const typeFits = ed ? jwk.kty === "OKP" && jwk.crv === "Ed25519" : jwk.kty === "EC" && jwk.crv === "P-256";
  const algFits = jwk.alg === void 0 || jwk.alg === alg || ed && (jwk.alg === "Ed25519" || jwk.alg === "EdDSA");
  const ops = jwk.key_ops;
  const opsFit = ops === void 0 || Array.isArray(ops) && ops.every((op, i) => typeof op === "string" && ops.indexOf(op) === i) && ops.includes("verify");
  return typeFits && algFits && opsFit && (jwk.use === void 0 || jwk.use === "sig") && (jwk.ext === void 0 || typeof jwk.ext === "boolean");
}

// src/engine/verify-pool/read-batch.ts
function batchReader(store, keys, fileSystem = nodeFileSystem) {
  return { store, trusted: keys && keys.length > 0 ? new TrustedKeys(keys) : void 0, fileSystem };
}
var BYTES_A_PATH = 1024;
function readBatch(reader, paths) {
  let bytes = Buffer.allocUnsafe(Math.max(BYTES_A_PATH, paths.length * BYTES_A_PATH));
  let used = 0;
  const room = (size) => {
    if (used + size > bytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(2 * bytes.length, used + size));
      bytes.copy(larger, 0, 0, used);
      bytes = larger;
    }
    return { buffer: bytes, offset: used };
  };
  const spans = new Int32Array(2 * paths.length);
  const records = paths.map((path, i) => {
    const read = readLicenseInto(join(reader.store, path), room, reader.fileSystem);
    if (typeof read !== "number") return read;
    const data = bytes.subarray(used, used + read);
    spans[2 * i] = used;
    spans[2 * i + 1] = read;
    used += read;
    return checkLicense(reader, data, path);
  });
  const answer = new Uint8Array(used);
  answer.set(bytes.subarray(0, used));
  return { bytes: answer, spans, records };
}
function checkLicense(reader, data, path) {
  const license = readLicenseText(data.toString("utf8"), path);
  if ("problem" in license) return license;
  const { jti, keyId, header } = license;
  if (reader.trusted && !signatureHolds(reader.trusted, header, license.text))
    return { failure: "signature", header, jti, keyId };
  return { jti, keyId, restricted: license.restricted, sha256: hash("sha256", data, "hex") };
}
function signatureHolds(trusted, header, text) {
  const choice = trusted.choose(header.alg, header.kid);
  if (!("key" in choice)) return false;
  const dot = text.lastIndexOf(".");
  const data = Buffer.from(text.slice(0, dot), "latin1");
  const signature = Buffer.from(text.slice(dot + 1), "base64url");
  return verifySignature(choice.key, header.alg, data, signature);
}

// src/engine/verify-pool/pack-members.ts
import { hash as hash2 } from "node:crypto";
import { createReadStream } from "node:fs";

// src/engine/format/gzip.ts
import { once } from "node:events";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip, createGzip, gzip, gzipSync } from "node:zlib";
var GZIP_LEVEL = 5;
var OS_BYTE = 9;
var OS_UNIX = 3;
function compressingSink(inner) {
  let member;
  const endMember = async () => {
    const ending = member;
    member = void 0;
    await ending?.end();
  };
  return {
    write: (chunk) => (member ??= openMember(inner)).write(chunk),
    writeMembers: async (members) => {
      await endMember();
      for await (const bytes of members) await inner.write(bytes);
    },
    close: async () => {
      await endMember();
      return inner.close();
    },
    abort: async () => {
      await member?.abort();
      await inner.abort();
    }
  };
}
function openMember(inner) {
  const options = {
    level: GZIP_LEVEL,
    chunkSize: 256 * 1024,
    highWaterMark: 4 * 1024 * 1024
  };
  const gzip2 = createGzip(options);
  let position = 0;
  const pump = (async () => {
    for await (const chunk of gzip2) {
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
  const pumpFailed = new AbortController();
  pump.catch((error) => {
    failed = error;
    pumpFailed.abort();
  });
  return {
    write: async (chunk) => {
      if (failed !== void 0) throw failed;
      if (gzip2.write(chunk)) return;
      await once(gzip2, "drain", { signal: pumpFailed.signal }).catch(() => {
      });
      if (failed !== void 0) throw failed;
    },
    end: async () => {
      gzip2.end();
      await pump;
    },
    abort: async () => {
      gzip2.destroy();
      await pump.catch(() => {
      });
    }
  };
}
async function gzipMember(data) {
  const member = await promisify(gzip)(data, { level: GZIP_LEVEL });
  member[OS_BYTE] = OS_UNIX;
  return member;
}
function gzipMemberSync(data) {
  const member = gzipSync(data, { level: GZIP_LEVEL });
  member[OS_BYTE] = OS_UNIX;
  return member;
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
          message`${file} decompresses to more than the ${maxBytes} bytes its manifest declares (a damaged pack or a compression bomb); reading stopped there.`,
          { file }
        );
      }
      yield chunk;
    }
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error;
    throw new LicenseBackupError(
      "BACKUP_CORRUPT",
      message`${file} is not a valid gzip stream (${error.message}).`,
      { file, cause: error }
    );
  } finally {
    gunzip.destroy();
    await feeding;
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

// src/engine/format/tar-reader.ts
async function* readTar(source, options = {}) {
  const file = options.file ?? "the pack";
  const cap = options.maxMemberSize ?? 1024 * 1024;
  const maxMemberSize = typeof cap === "number" ? () => cap : cap;
  const maxMetadataSize = options.maxMetadataSize ?? 64 * 1024;
  const input = new ByteReader(iteratorOf(source));
  let index = 0;
  let pending = {};
  const corrupt = (problem) => new LicenseBackupError(
    "BACKUP_CORRUPT",
    message`${file} is not a valid license-backup pack: ${problem}.`,
    {
      file
    }
  );
  try {
    for (; ; ) {
      if (options.signal?.aborted)
        throw new LicenseBackupError("CANCELLED", "Reading the pack was cancelled.");
      const block = await input.read(BLOCK);
      if (block === void 0) throw corrupt("it ends without the end-of-archive marker (truncated)");
      if (isZero(block)) {
        const second = await input.read(BLOCK);
        if (second === void 0 || !isZero(second))
          throw corrupt("it has a lone zero block (truncated or damaged)");
        await expectOnlyZeros(input, corrupt);
        return;
      }
      index++;
      const at = `member ${index}`;
      const stored = readOctal(block, 148, 8);
      if (stored === void 0 || stored !== checksum(block)) throw corrupt(`${at} has a bad header checksum`);
      const magic = block.toString("latin1", 257, 263);
      if (magic !== "ustar\0" && magic !== "ustar ") throw corrupt(`${at} is not a ustar/pax header`);
      const type = String.fromCharCode(block[156]);
      const headerSize = readOctal(block, 124, 12);
      if (headerSize === void 0) throw corrupt(`${at} has an unreadable size`);
      const ustarPath = joinUstarName(block);
      if (type === "x" || type === "L") {
        if (headerSize > maxMetadataSize)
          throw corrupt(`${at} has a ${headerSize}-byte metadata record, over the cap`);
        const data2 = await readData(input, headerSize, corrupt, at);
        if (type === "L") pending.path = cString(data2);
        else pending = { ...pending, ...parsePax(data2, corrupt, at) };
        continue;
      }
      const name = pending.path ?? ustarPath;
      const size = pending.size ?? headerSize;
      pending = {};
      if (type !== "0" && type !== "\0" && type !== "7") {
        throw corrupt(`${at} (${JSON.stringify(name)}) is a ${typeName(type)}, not a regular file`);
      }
      if (name === "") throw corrupt(`${at} has an empty name`);
      if (size > maxMemberSize(name))
        throw corrupt(
          `${at} (${JSON.stringify(name)}) is ${size} bytes, over the ${maxMemberSize(name)}-byte cap`
        );
      const mode = readOctal(block, 100, 8) ?? 0;
      if (options.streamed?.(name)) {
        const piece = new MemberPieces(
          input,
          size,
          () => corrupt(`${at} (${JSON.stringify(name)}) is cut short (truncated)`)
        );
        yield { name, size, type: "file", mode, data: Buffer.alloc(0), chunks: piece.chunks() };
        await piece.skipRest();
        continue;
      }
      const data = await readData(input, size, corrupt, `${at} (${JSON.stringify(name)})`);
      yield { name, size, type: "file", mode, data };
    }
  } finally {
    await input.close();
  }
}
async function readData(input, size, corrupt, at) {
  const padded2 = Math.ceil(size / BLOCK) * BLOCK;
  const data = await input.read(padded2);
  if (data === void 0) throw corrupt(`${at} is cut short (truncated)`);
  return Buffer.from(data.subarray(0, size));
}
async function expectOnlyZeros(input, corrupt) {
  for (; ; ) {
    const chunk = await input.readSome();
    if (chunk === void 0) return;
    if (!isZero(chunk)) throw corrupt("it has data after the end-of-archive marker");
  }
}
function parsePax(data, corrupt, at) {
  const result = {};
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(32, offset);
    if (space < 0) break;
    const length = Number(data.toString("ascii", offset, space));
    if (!Number.isInteger(length) || length <= 0 || offset + length > data.length)
      throw corrupt(`${at} has a malformed pax record`);
    const record = data.toString("utf8", space + 1, offset + length - 1);
    const equals = record.indexOf("=");
    if (equals < 0) throw corrupt(`${at} has a malformed pax record`);
    const key = record.slice(0, equals);
    const value = record.slice(equals + 1);
    if (key === "path") result.path = value;
    if (key === "size") {
      if (!/^\d+$/.test(value)) throw corrupt(`${at} has a malformed pax size`);
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
var MemberPieces = class {
  left;
  padding;
  input;
  truncated;
  // No parameter properties: a pack thread runs this file by stripping its types (ADR 0235).
  constructor(input, size, truncated) {
    this.input = input;
    this.truncated = truncated;
    this.left = size;
    this.padding = Math.ceil(size / BLOCK) * BLOCK - size;
  }
  async *chunks() {
    while (this.left > 0) {
      const piece = await this.input.readUpTo(this.left);
      if (piece === void 0) throw this.truncated();
      this.left -= piece.length;
      yield piece;
    }
  }
  async skipRest() {
    for await (const piece of this.chunks()) void piece;
    if (this.padding > 0 && await this.input.read(this.padding) === void 0) throw this.truncated();
    this.padding = 0;
  }
};
var ByteReader = class {
  chunks = [];
  offset = 0;
  buffered = 0;
  done = false;
  iterator;
  // No parameter property: a pack thread runs this file by stripping its types (ADR 0235).
  constructor(iterator) {
    this.iterator = iterator;
  }
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
  /** At most `n` bytes: what is buffered, or the next chunk; undefined at the end. */
  async readUpTo(n) {
    while (this.buffered === 0 && !this.done) await this.pull();
    if (this.buffered === 0) return void 0;
    const first = this.chunks[0];
    return this.read(Math.min(n, first.length - this.offset));
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

// src/engine/verify-pool/pack-members.ts
var BATCH = 256;
var TarSizeProblem = class extends Error {
  problem;
  // No parameter property: a pack thread runs this file by stripping its types.
  constructor(problem) {
    super(problem);
    this.problem = problem;
  }
};
async function* exactly(source, size, file) {
  let total = 0;
  for await (const chunk of source) {
    total += chunk.length;
    if (total > size)
      throw new TarSizeProblem(`${file} holds more than the ${size} tar bytes its manifest declares`);
    yield chunk;
  }
  if (total !== size)
    throw new TarSizeProblem(`${file} holds ${total} tar bytes, its manifest declares ${size} (truncated)`);
}
async function* packReplies(setup2) {
  const batch = new MemberBatch();
  try {
    let source = createReadStream(setup2.packFile);
    if (setup2.compression === "gzip") source = gunzipBounded(source, setup2.tarSize, setup2.packFile);
    const members = readTar(exactly(source, setup2.tarSize, setup2.packFile), {
      file: setup2.packFile,
      maxMemberSize: (name) => name === setup2.streamed ? setup2.maxStreamedSize : setup2.maxMemberSize,
      streamed: (name) => name === setup2.streamed
    });
    for await (const member of members) {
      if (!member.chunks) {
        batch.add(member.name, member.data);
        if (batch.size >= BATCH) yield batch.take();
        continue;
      }
      if (batch.size > 0) yield batch.take();
      yield { kind: "streamed", name: member.name, size: member.size };
      for await (const piece of member.chunks) yield { kind: "piece", bytes: new Uint8Array(piece) };
      yield { kind: "streamedEnd" };
    }
    if (batch.size > 0) yield batch.take();
    yield { kind: "end" };
  } catch (error) {
    if (batch.size > 0) yield batch.take();
    yield { kind: "failed", failure: packFailure(error) };
  }
}
function packFailure(error) {
  if (error instanceof TarSizeProblem) return { tooLong: true, problem: error.problem };
  if (error instanceof LicenseBackupError) {
    const { code: code2, parts, subject, cause } = error;
    return { code: code2, parts, subject, ...cause instanceof Error ? { cause } : {} };
  }
  const { message: message2, code } = error;
  return { message: String(message2), ...code === void 0 ? {} : { errno: code } };
}
var MemberBatch = class {
  bytes = Buffer.allocUnsafe(BATCH * 1024);
  used = 0;
  spans = [];
  names = [];
  digests = "";
  get size() {
    return this.names.length;
  }
  add(name, data) {
    if (this.used + data.length > this.bytes.length) {
      const larger = Buffer.allocUnsafe(Math.max(2 * this.bytes.length, this.used + data.length));
      this.bytes.copy(larger, 0, 0, this.used);
      this.bytes = larger;
    }
    data.copy(this.bytes, this.used);
    this.spans.push(this.used, data.length);
    this.used += data.length;
    this.names.push(name);
    this.digests += hash2("sha256", data, "hex");
  }
  take() {
    const bytes = new Uint8Array(this.used);
    bytes.set(this.bytes.subarray(0, this.used));
    const reply = {
      kind: "members",
      bytes,
      spans: new Int32Array(this.spans),
      names: this.names,
      sha256: this.digests
    };
    this.used = 0;
    this.spans = [];
    this.names = [];
    this.digests = "";
    return reply;
  }
};

// src/engine/verify-pool/verify-worker.ts
function keySlots(keys) {
  return keys.map(importPublicKey);
}
function checkBatch(checker, meta, text) {
  const count = meta.length / 4;
  const results = new Uint8Array(count);
  const bytes = Buffer.from(text, "latin1");
  let at = 0;
  for (let i = 0; i < count; i++) {
    const slot = meta[4 * i] ?? -1;
    const alg = meta[4 * i + 1] ?? -1;
    const inputLength = meta[4 * i + 2] ?? 0;
    const signatureLength = meta[4 * i + 3] ?? 0;
    const data = bytes.subarray(at, at + inputLength);
    const sig = Buffer.from(text.slice(at + inputLength, at + inputLength + signatureLength), "base64url");
    at += inputLength + signatureLength;
    const key = slot < 0 ? void 0 : checker.slots[slot];
    const name = checker.algorithms[alg];
    results[i] = key && name && verifySignature(key, name, data, sig) ? 1 : 0;
  }
  return results;
}
function serve(port, setup2) {
  const checker = { slots: keySlots(setup2.keys), algorithms: setup2.algorithms };
  port.on("message", ({ id, meta, text }) => {
    const results = checkBatch(checker, meta, text);
    port.postMessage({ id, results }, [results.buffer]);
  });
}
function serveReads(port, setup2) {
  const reader = batchReader(setup2.store, setup2.keys);
  port.on("message", ({ id, paths }) => {
    const reply = { id, ...readBatch(reader, paths.split("\0")) };
    port.postMessage(reply, [reply.bytes.buffer, reply.spans.buffer]);
  });
}
function servePack(port, setup2) {
  const replies = packReplies(setup2);
  let turn = Promise.resolve();
  port.on("message", () => {
    turn = turn.then(async () => {
      const step = await replies.next();
      if (step.done) return;
      const reply = step.value;
      const transfer = "bytes" in reply ? [reply.bytes.buffer] : [];
      if (reply.kind === "members") transfer.push(reply.spans.buffer);
      port.postMessage(reply, transfer);
    });
  });
}
var setup = workerData;
if (parentPort && setup?.verifyPool === true) serve(parentPort, workerData);
if (parentPort && setup?.readPool === true) serveReads(parentPort, workerData);
if (parentPort && setup?.packPool === true) servePack(parentPort, workerData);

export {
  compressingSink,
  gzipMember,
  gzipMemberSync,
  gunzipBounded,
  TAR_END,
  tarMemberSize,
  writeTarMember,
  tarHeader,
  tarPadding,
  JWS_ALGORITHMS,
  TrustedKeys,
  batchReader,
  readBatch,
  readTar,
  TarSizeProblem,
  exactly,
  keySlots,
  checkBatch,
  serve,
  serveReads,
  servePack
};
// 0140), can import it as `@license-backup/protocol/jws/signature`.
