import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  MAX_MANIFEST_BYTES,
  largestPackSize,
  manifestByteLimit,
  membersBeyondPack
} from "./chunk-ONIIBBFK.js";
import {
  BLOCK,
  FingerprintSet,
  INDEX_MEMBER,
  IndexParser,
  checksum,
  describeOrigin,
  gunzipBounded,
  indexEntryText,
  parseAnyManifest
} from "./chunk-7VWGNYBE.js";
import {
  MANIFEST_FILE,
  MAX_SIGNATURE_BYTES,
  NAMESPACE,
  SIGNATURE_FILE,
  decryptAge,
  fingerprint,
  parseSignature,
  signatureProblem
} from "./chunk-4RZRHGFY.js";
import {
  InputFileError,
  openInputFile
} from "./chunk-4CBSMRKD.js";
import {
  nameKey,
  parseLicense,
  pathProblem
} from "./chunk-AJ2FYSS3.js";
import {
  DEFAULT_PATTERN,
  LicenseBackupError,
  WireError,
  compileGlob,
  ed25519KeyOf,
  message,
  option,
  warning
} from "./chunk-DFELDVRP.js";
import {
  MAX_LICENSE_BYTES
} from "./chunk-LTTOI6W3.js";

// src/engine/restore/open-backup.ts
import { lstat as lstat2, open } from "node:fs/promises";
import { join as join3 } from "node:path";

// src/engine/format/ssh/patterns.ts
var MAX_SUBPATTERN = 1023;
function matchPattern(value, pattern) {
  let states = start(pattern);
  for (const char of value) {
    states = step(pattern, states, char);
    if (states.size === 0) return false;
  }
  return states.has(pattern.length);
}
function split(list) {
  const subpatterns = [];
  let i = 0;
  while (i < list.length) {
    const negated = list[i] === "!";
    if (negated) i++;
    const comma = list.indexOf(",", i);
    const end = comma < 0 ? list.length : comma;
    if (end - i >= MAX_SUBPATTERN) return { subpatterns, tooLong: true };
    subpatterns.push({ negated, pattern: list.slice(i, end) });
    i = comma < 0 ? end : end + 1;
  }
  return { subpatterns, tooLong: false };
}
function matchPatternList(value, list) {
  const { subpatterns, tooLong } = split(list);
  let positive = false;
  for (const { negated, pattern } of subpatterns) {
    if (!matchPattern(value, pattern)) continue;
    if (negated) return -1;
    positive = true;
  }
  return positive && !tooLong ? 1 : 0;
}
var MAX_STATES = 2e4;
function someMatch(list) {
  const { subpatterns, tooLong } = split(list);
  if (tooLong || !subpatterns.some((s) => !s.negated)) return void 0;
  const patterns = subpatterns.map((s) => s.pattern);
  const alphabet = alphabetOf(patterns);
  const accepts = (states) => subpatterns.some((s, i) => !s.negated && states[i].has(s.pattern.length)) && subpatterns.every((s, i) => !s.negated || !states[i].has(s.pattern.length));
  let frontier = [{ text: "", states: patterns.map(start) }];
  const seen = /* @__PURE__ */ new Set([keyOf(frontier[0].states)]);
  while (frontier.length > 0 && seen.size <= MAX_STATES) {
    const next = [];
    for (const { text, states } of frontier) {
      if (accepts(states)) return text;
      for (const char of alphabet) {
        const moved = patterns.map((pattern, i) => step(pattern, states[i], char));
        const key = keyOf(moved);
        if (seen.has(key)) continue;
        seen.add(key);
        next.push({ text: text + char, states: moved });
      }
    }
    frontier = next;
  }
  return void 0;
}
function alphabetOf(patterns) {
  const literal = new Set([...patterns.join("")].filter((c) => c !== "*" && c !== "?"));
  const other = [..."xyzabcdefghijklmnopqrstuvw0123456789"].find((c) => !literal.has(c)) ?? "\xFF";
  return [...literal, other];
}
function keyOf(states) {
  return states.map((set) => [...set].sort((a, b) => a - b).join(",")).join("|");
}
function start(pattern) {
  return closure(pattern, /* @__PURE__ */ new Set([0]));
}
function step(pattern, states, char) {
  const moved = /* @__PURE__ */ new Set();
  for (const at of states) {
    const wanted = pattern[at];
    if (wanted === "*") moved.add(at);
    else if (wanted === "?" || wanted === char) moved.add(at + 1);
  }
  return closure(pattern, moved);
}
function closure(pattern, states) {
  for (const at of states) if (pattern[at] === "*") states.add(at + 1);
  return states;
}

// src/engine/format/ssh/signer-options.ts
function parseSignerOptions(text) {
  const options = { certAuthority: false };
  let at = 0;
  while (at < text.length) {
    const read = readOption(text, at, options);
    if (typeof read === "string") return { problem: read };
    at = read;
    if (at >= text.length) break;
    if (text[at] !== ",") return { problem: "it has an unknown option" };
    at++;
    if (at >= text.length) return { problem: "its options end in a comma" };
  }
  const { validAfter, validBefore } = options;
  if (validAfter !== void 0 && validBefore !== void 0 && validBefore <= validAfter)
    return { problem: "its valid-before is not after its valid-after" };
  return options;
}
function readOption(text, at, options) {
  const lower = text.slice(at).toLowerCase();
  if (lower.startsWith("cert-authority")) {
    options.certAuthority = true;
    return at + "cert-authority".length;
  }
  const name = ["namespaces", "valid-after", "valid-before"].find((n) => lower.startsWith(`${n}=`));
  if (name === void 0) return at;
  const value = dequote(text, at + name.length + 1);
  if (typeof value === "string") return value;
  if (name === "namespaces") {
    if (options.namespaces !== void 0) return "it has namespaces twice";
    options.namespaces = value.text;
    return value.end;
  }
  const key = name === "valid-after" ? "validAfter" : "validBefore";
  if (options[key] !== void 0) return `it has ${name} twice`;
  const time = parseSshTime(value.text);
  if (time === void 0) return `its ${name} is not a time YYYYMMDD[HHMM[SS]][Z|UTC]`;
  options[key] = time;
  return value.end;
}
function dequote(text, at) {
  if (text[at] !== '"') return "an option value does not start with a quote";
  let value = "";
  let i = at + 1;
  while (i < text.length && text[i] !== '"') {
    if (text[i] === "\\" && text[i + 1] === '"') i++;
    value += text[i++];
  }
  if (i >= text.length) return "an option value has no closing quote";
  return { text: value, end: i + 1 };
}
function parseSshTime(value) {
  const utc = /^(.+?)(?:z|utc)$/i.exec(value);
  const digits = utc?.[1] ?? value;
  if (!/^\d+$/.test(digits) || ![8, 12, 14].includes(digits.length)) return void 0;
  const [y, mo, d, h = 0, mi = 0, s = 0] = (digits.match(/^(\d{4})|\d{2}/g) ?? []).map(Number);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 61) return void 0;
  const fields = Date.UTC(y, mo - 1, d, h, mi, s);
  const ms = utc ? fields : fields + standardOffsetMinutes(y) * 6e4;
  return ms > 0 ? Math.floor(ms / 1e3) : void 0;
}
function standardOffsetMinutes(year) {
  return Math.max(new Date(year, 0, 1).getTimezoneOffset(), new Date(year, 6, 1).getTimezoneOffset());
}

// src/engine/format/ssh/allowed-signers.ts
var WHITESPACE = " 	\r\n";
function parseAllowedSigners(text) {
  const result = { signers: [], skipped: [] };
  for (const [index, raw] of text.split("\n").entries()) {
    const nul = raw.indexOf("\0");
    const read = parseLine(nul < 0 ? raw : raw.slice(0, nul));
    if (read === void 0) continue;
    if ("problem" in read) result.skipped.push({ line: index + 1, problem: read.problem });
    else result.signers.push({ line: index + 1, ...read });
  }
  return result;
}
function parseLine(raw) {
  const line = raw.replace(/^[ \t]+/, "");
  if (line === "" || line.startsWith("#")) return void 0;
  const first = firstToken(line);
  if (first === void 0) return { problem: "it has no key" };
  if ("problem" in first) return first;
  const { token: principals, rest } = first;
  const key = readKey(rest);
  if (key !== void 0)
    return key === "other" ? void 0 : { principals, publicBlob: key, certAuthority: false };
  const end = endOfOptions(rest);
  if (end === void 0) return { problem: "a quote in its options is not closed" };
  const afterOptions = rest.slice(end).replace(/^[ \t]+/, "");
  if (afterOptions === "") return { problem: "it has no key" };
  const keyAfter = readKey(afterOptions);
  if (keyAfter === void 0) return { problem: "its key is not valid" };
  const options = parseSignerOptions(rest.slice(0, end));
  if ("problem" in options) return options;
  return keyAfter === "other" ? void 0 : { principals, publicBlob: keyAfter, ...options };
}
function firstToken(line) {
  const at = [...line].findIndex((c) => WHITESPACE.includes(c) || c === '"');
  if (at < 0) return void 0;
  if (line[at] !== '"') return { token: line.slice(0, at), rest: skipWhitespace(line.slice(at + 1)) };
  const close = line.indexOf('"', at + 1);
  if (close < 0) return { problem: "a quote in its principals is not closed" };
  return { token: line.slice(0, at) + line.slice(at + 1, close), rest: skipWhitespace(line.slice(close + 1)) };
}
function skipWhitespace(text) {
  let at = 0;
  while (at < text.length && WHITESPACE.includes(text[at])) at++;
  return text.slice(at);
}
function endOfOptions(text) {
  let quoted = false;
  let at = 0;
  for (; at < text.length && (quoted || text[at] !== " " && text[at] !== "	"); at++) {
    if (text[at] === "\\" && text[at + 1] === '"') at++;
    else if (text[at] === '"') quoted = !quoted;
  }
  return at >= text.length && quoted ? void 0 : at;
}
function readKey(text) {
  const [type, blob] = text.split(/[ \t]+/);
  if (type === void 0 || blob === void 0 || !/[ \t]/.test(text)) return void 0;
  if (type !== "ssh-ed25519") return looksLikeKeyType(type) ? "other" : void 0;
  const base64 = blob.replace(/[\r\n\v\f]/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4 === 1) return void 0;
  const decoded = Buffer.from(base64, "base64");
  try {
    ed25519KeyOf(decoded);
  } catch (error) {
    if (error instanceof WireError) return void 0;
    throw error;
  }
  return decoded;
}
function looksLikeKeyType(text) {
  return /^(ssh-|ecdsa-|sk-|rsa-)/.test(text);
}
function findSigner(signers, publicBlob, namespace, now) {
  const seconds = Math.floor(now / 1e3);
  let first;
  for (const signer of signers) {
    if (signer.certAuthority || !signer.publicBlob.equals(publicBlob)) continue;
    const problem = lineProblem(signer, namespace, seconds);
    if (problem === void 0) {
      const identity = someMatch(signer.principals);
      if (identity !== void 0) return { signer, identity };
    }
    first ??= `${problem ?? "its principals refuse every identity"} (line ${signer.line})`;
  }
  return { problem: first ?? "its key is not in the file" };
}
function lineProblem(signer, namespace, seconds) {
  if (signer.namespaces !== void 0 && matchPatternList(namespace, signer.namespaces) !== 1)
    return `its namespaces do not allow ${namespace}`;
  if (signer.validAfter !== void 0 && seconds < signer.validAfter)
    return "it is not valid yet (valid-after)";
  if (signer.validBefore !== void 0 && seconds > signer.validBefore)
    return "it is no longer valid (valid-before)";
  return void 0;
}

// src/engine/restore/verify-backup.ts
import { createHash as createHash3 } from "node:crypto";
import { createReadStream as createReadStream2 } from "node:fs";
import { lstat } from "node:fs/promises";
import { join as join2 } from "node:path";

// src/engine/format/tar-reader.ts
async function* readTar(source, options = {}) {
  const file = options.file ?? "the pack";
  const cap = options.maxMemberSize ?? 1024 * 1024;
  const maxMemberSize = typeof cap === "number" ? () => cap : cap;
  const maxMetadataSize = options.maxMetadataSize ?? 64 * 1024;
  const input = new ByteReader(iteratorOf(source));
  let index = 0;
  let pending = {};
  const corrupt2 = (problem) => new LicenseBackupError(
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
      const mode = readOctal(block, 100, 8) ?? 0;
      if (options.streamed?.(name)) {
        const piece = new MemberPieces(
          input,
          size,
          () => corrupt2(`${at} (${JSON.stringify(name)}) is cut short (truncated)`)
        );
        yield { name, size, type: "file", mode, data: Buffer.alloc(0), chunks: piece.chunks() };
        await piece.skipRest();
        continue;
      }
      const data = await readData(input, size, corrupt2, `${at} (${JSON.stringify(name)})`);
      yield { name, size, type: "file", mode, data };
    }
  } finally {
    await input.close();
  }
}
async function readData(input, size, corrupt2, at) {
  const padded = Math.ceil(size / BLOCK) * BLOCK;
  const data = await input.read(padded);
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
var MemberPieces = class {
  constructor(input, size, truncated) {
    this.input = input;
    this.truncated = truncated;
    this.left = size;
    this.padding = Math.ceil(size / BLOCK) * BLOCK - size;
  }
  input;
  truncated;
  left;
  padding;
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

// src/engine/restore/read-pack-v2.ts
import { createHash as createHash2 } from "node:crypto";
import { createReadStream } from "node:fs";
import { join } from "node:path";

// src/engine/flat/entry-prints.ts
import { createHash } from "node:crypto";
var PRINT_BYTES = 8;
var EntryPrints = class {
  bytes = Buffer.alloc(PRINT_BYTES * 1024);
  count = 0;
  get length() {
    return this.count;
  }
  push(entryText) {
    if ((this.count + 1) * PRINT_BYTES > this.bytes.length) {
      const grown = Buffer.alloc(this.bytes.length * 2);
      this.bytes.copy(grown);
      this.bytes = grown;
    }
    print(entryText).copy(this.bytes, this.count * PRINT_BYTES);
    this.count++;
  }
  /** Whether member `index` of the first reading had this entry text. */
  matches(index, entryText) {
    if (index >= this.count) return false;
    const at = index * PRINT_BYTES;
    return print(entryText).equals(this.bytes.subarray(at, at + PRINT_BYTES));
  }
};
function print(text) {
  return createHash("sha256").update(text).digest().subarray(0, PRINT_BYTES);
}

// src/engine/restore/read-pack-v2.ts
async function* readPackV2(context, signal, known) {
  const { path, manifest } = context;
  const packFile = join(path, manifest.pack.file);
  const prints = new EntryPrints();
  const names = new FingerprintSet();
  const folders = new FingerprintSet();
  const ids = new FingerprintSet();
  const membersDigest = createHash2("sha256");
  let count = 0;
  let index;
  for await (const member of members(context, packFile, signal)) {
    const where = `member ${JSON.stringify(member.name)} of ${packFile}`;
    if (index !== void 0)
      throw corrupt(path, `${where} follows the pack's index, which must be its last member`);
    if (member.name === INDEX_MEMBER) {
      index = await readIndex(member.chunks, `${INDEX_MEMBER} in ${packFile}`);
      continue;
    }
    if (count >= Math.min(manifest.counts.licenses, MAX_LICENSES))
      throw corrupt(
        path,
        `${where} is one more license than the ${manifest.counts.licenses} its manifest counts`
      );
    const unsafe = pathProblem(member.name);
    if (unsafe) throw corrupt(path, `${where} ${unsafe}`);
    const sha256 = createHash2("sha256").update(member.data).digest("hex");
    const license = parseLicense(member.data.toString("utf8"), `${member.name} (in the backup at ${path})`);
    const entry = {
      jti: license.jti,
      key_id: license.keyId,
      path: member.name,
      sha256,
      size: member.size
    };
    const text = indexEntryText(entry);
    if (known) {
      if (!known.prints.matches(count, text))
        throw corrupt(
          path,
          `${where} is not the member the first reading found there (the pack changed while it was read)`
        );
    } else {
      await checkOnce(context, packFile, { names, folders, ids }, entry, count, signal);
      membersDigest.update(text);
      prints.push(text);
    }
    count++;
    yield { entry, license };
  }
  if (index === void 0) throw corrupt(path, `its pack has no ${INDEX_MEMBER}`);
  if (count !== manifest.counts.licenses)
    throw corrupt(path, `its pack holds ${count} licenses, its manifest counts ${manifest.counts.licenses}`);
  if (known) return known;
  if (index.licenses !== count)
    throw corrupt(path, `its pack index lists ${index.licenses} licenses, the pack holds ${count}`);
  if (index.digest !== membersDigest.digest("hex"))
    throw corrupt(
      path,
      `its pack index does not list exactly its members in order (a license ID, key ID, name, size or SHA-256 differs)`
    );
  if (index.restricted !== manifest.counts.restricted)
    throw corrupt(
      path,
      `its pack index lists ${index.restricted} restricted licenses, its manifest counts ${manifest.counts.restricted}`
    );
  return { prints, restricted: index.restricted };
}
function members(context, packFile, signal) {
  return (async function* () {
    yield* readTar(await tarBytes(context, packFile), {
      file: packFile,
      maxMemberSize: (name) => name === INDEX_MEMBER ? MAX_MANIFEST_BYTES : MAX_LICENSE_BYTES,
      streamed: (name) => name === INDEX_MEMBER,
      ...signal ? { signal } : {}
    });
  })();
}
async function readIndex(chunks, where) {
  const parser = new IndexParser(where);
  const digest = createHash2("sha256");
  let licenses = 0;
  let restricted = 0;
  let summary;
  for await (const chunk of chunks) {
    for (const item of parser.push(chunk)) {
      if (item.list === "restricted") restricted++;
      else if (item.list === "summary") summary = item.entry;
      else {
        digest.update(indexEntryText(item.entry));
        licenses++;
      }
    }
  }
  parser.end();
  if (summary) return { digest: summary.sha256, licenses: summary.count, restricted };
  return { digest: digest.digest("hex"), licenses, restricted };
}
async function checkOnce(context, packFile, seen, entry, index, signal) {
  const { path } = context;
  const where = `member ${JSON.stringify(entry.path)} of ${packFile}`;
  const earlier = (test) => findEarlier(context, packFile, index, test, signal);
  const key = nameKey(entry.path);
  if (!seen.names.add(key) && await earlier((name) => nameKey(name) === key))
    throw corrupt(path, `${where} appears twice (${SAME_NAME})`);
  if (seen.folders.has(key)) {
    const inside = await earlier((name) => nameKey(name).startsWith(`${key}/`));
    if (inside) throw insideFile(path, inside, entry.path);
  }
  for (let slash = key.indexOf("/"); slash >= 0; slash = key.indexOf("/", slash + 1)) {
    const folder = key.slice(0, slash);
    seen.folders.add(folder);
    if (!seen.names.has(folder)) continue;
    const file = await earlier((name) => nameKey(name) === folder);
    if (file) throw insideFile(path, entry.path, file);
  }
  if (!seen.ids.add(entry.jti) && await earlier((_, jti) => jti() === entry.jti))
    throw corrupt(path, `license ID ${entry.jti} is in its pack twice`);
}
function insideFile(path, name, file) {
  return corrupt(
    path,
    `the pack's member ${JSON.stringify(name)} is inside ${JSON.stringify(file)}, which is a license file too (a file cannot also be a folder)`
  );
}
async function findEarlier(context, packFile, count, test, signal) {
  let index = 0;
  for await (const member of members(context, packFile, signal)) {
    if (index++ >= count || member.name === INDEX_MEMBER) return void 0;
    const jti = () => parseLicense(member.data.toString("utf8"), member.name).jti;
    if (test(member.name, jti)) return member.name;
  }
  return void 0;
}
async function tarBytes(context, packFile) {
  const { manifest } = context;
  let source = createReadStream(packFile);
  if (manifest.encryption !== null) {
    if (!context.ageIdentity) {
      ;
      source.destroy();
      throw new LicenseBackupError(
        "CONFIG_INVALID",
        message`The backup at ${context.path} is encrypted (age): give the age identity in ${option("ageIdentity")}.`,
        { file: context.path }
      );
    }
    const raw = source;
    source = await decryptAge(raw, context.ageIdentity, { file: packFile }).catch((error) => {
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
var MAX_LICENSES = 1e7;
var VERIFY_AHEAD = 256;
async function verifyBackup(path, options) {
  const opened = options.opened ?? await openBackup(path, {});
  const manifest = opened.manifest;
  if (opened.format === "v1")
    checkPattern(path, opened.manifest.licenses, opened.manifest.pattern, options.pattern);
  const packFile = join2(path, manifest.pack.file);
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
    const context2 = { path, packFile, manifest: opened.manifest, ageIdentity: options.ageIdentity };
    for (const entry of opened.manifest.licenses) options.onEntry?.(entry);
    for await (const { license } of readMembers(context2, options.signal)) await check(license);
    for (const pending of checks) await pending;
    return {
      path,
      opened,
      count: opened.manifest.licenses.length,
      restricted: opened.manifest.restricted.length,
      licenses: (signal) => readMembers(context2, signal)
    };
  }
  const context = { path, manifest: opened.manifest, ageIdentity: options.ageIdentity };
  const matches = patternCheck(path, opened.manifest.pattern, options.pattern);
  const reading = readPackV2(context, options.signal);
  let step2 = await reading.next();
  while (!step2.done) {
    matches(step2.value.entry);
    options.onEntry?.(step2.value.entry);
    await check(step2.value.license);
    step2 = await reading.next();
  }
  for (const pending of checks) await pending;
  const first = step2.value;
  return {
    path,
    opened,
    count: total,
    restricted: first.restricted,
    licenses: async function* (signal) {
      yield* readPackV2(context, signal, first);
    }
  };
}
async function readManifestBytes(path) {
  const file = join2(path, MANIFEST_FILE);
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
function checkPattern(path, entries, recorded, option2) {
  const matches = patternCheck(path, recorded, option2);
  for (const entry of entries) matches(entry);
}
function patternCheck(path, recorded, option2) {
  const pattern = option2 ?? recorded ?? DEFAULT_PATTERN;
  const matcher = compileGlob(pattern);
  return (entry) => {
    if (!matcher.test(entry.path)) throw outsidePattern(path, entry, pattern, recorded, option2);
  };
}
function outsidePattern(path, outside, pattern, recorded, option2) {
  const member = JSON.stringify(outside.path);
  if (option2 === void 0 && recorded !== void 0) {
    return corrupt(
      path,
      `the manifest's entry ${member} does not match the pattern ${JSON.stringify(pattern)} the backup records it was made with`
    );
  }
  const whose = option2 === void 0 ? "the default pattern, since the backup records none" : "the restore's pattern option";
  return new LicenseBackupError(
    "CONFIG_INVALID",
    message`The backup at ${path} holds ${member}, which does not match ${JSON.stringify(pattern)} (${whose}). A restore writes only license files matching its pattern, so nothing was restored. If the backup's licenses are named so, set the pattern option to match them; otherwise do not restore this backup.`,
    { file: path }
  );
}
async function checkPackDigest(path, packFile, manifest) {
  let info;
  try {
    info = await lstat(packFile);
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
    file: join2(path, manifest.pack.file),
    maxMemberSize: MAX_LICENSE_BYTES,
    signal
  })) {
    const where = `member ${JSON.stringify(member.name)} of ${join2(path, manifest.pack.file)}`;
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
  if (!context.ageIdentity) {
    stream.destroy();
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`The backup at ${context.path} is encrypted (age): give the age identity in ${option("ageIdentity")}.`,
      { file: context.path }
    );
  }
  try {
    return await decryptAge(stream, context.ageIdentity, { file: context.packFile });
  } catch (error) {
    stream.destroy();
    throw error;
  }
}
function corrupt(path, problem) {
  return new LicenseBackupError(
    "BACKUP_CORRUPT",
    message`The backup at ${path} cannot be trusted: ${problem}. Nothing was restored; restore from another backup.`,
    { file: path }
  );
}

// src/engine/restore/open-backup.ts
var NOT_AUTHENTICATED_WARNING = message`The backup is not authenticated: anyone who can change the backup folder can change what is restored. Sign backups with an SSH key and give their allowed signers file as ${option("signers")}.`;
var CLOCK_SKEW_MS = 5 * 6e4;
async function openBackup(path, trust, now = Date.now()) {
  const text = await readManifestBytes(path);
  const file = join3(path, MANIFEST_FILE);
  const opened = parse(path, text.toString("utf8"), file);
  checkAge(opened, file, trust, now);
  if (opened.format === "v2")
    opened.origin = describeOrigin(opened.manifest.origin, opened.manifest.created, now);
  if (trust.signers === void 0) return opened;
  if (opened.format === "v1")
    throw untrusted(
      file,
      `it is a license-backup/v1 backup, which cannot be signed, and signers (${trust.signers}) is set`
    );
  Object.assign(opened, await checkSignature(path, text, trust.signers, now));
  return opened;
}
function checkAge(opened, file, trust, now) {
  const created = Date.parse(opened.manifest.created);
  if (trust.maxAgeMs !== void 0 && !(now - created <= trust.maxAgeMs)) {
    throw untrusted(
      file,
      `it was created ${opened.manifest.created}, more than max-age (${Math.round(trust.maxAgeMs / 36e5)} hours) ago; an old backup may be a rollback. Restore a newer backup, or raise max-age`
    );
  }
  if (!(created > now + CLOCK_SKEW_MS)) return;
  const future = `it was created ${new Date(created).toISOString()}, later than now (${new Date(now).toISOString()}) plus the allowed clock skew (${CLOCK_SKEW_MS / 6e4} minutes)`;
  if (trust.maxAgeMs !== void 0)
    throw untrusted(
      file,
      `${future}; a backup dated in the future would pass max-age for ever and may be a rollback. Check the clock of the machine that made it and restore a backup with a true date`
    );
  opened.future = `The backup's ${file} says ${future}: the clock of the machine that made it may be wrong, or the date forged. With max-age such a backup is refused.`;
}
function parse(path, text, file) {
  const parsed = parseAnyManifest(text, file);
  if (parsed.format === "v1") checkEntries(path, parsed.manifest);
  return { path, ...parsed };
}
async function readBounded(file, max) {
  const handle = await open(file, "r");
  try {
    const data = await handle.readFile();
    if (data.length > max) throw new RangeError(`${file} is over ${max} bytes`);
    return data;
  } finally {
    await handle.close();
  }
}
var MAX_SKIPPED_WARNINGS = 10;
async function checkSignature(path, manifest, signersFile, now) {
  const { signers, skipped } = parseAllowedSigners(await readSigners(signersFile));
  const skippedSigners = skipped.slice(0, MAX_SKIPPED_WARNINGS).map(
    ({ line, problem: problem2 }) => `${signersFile} line ${line} is skipped, as ssh-keygen skips it: ${problem2}. Each line is \`principals [options] ssh-ed25519 AAAA\u2026\`.`
  );
  if (skipped.length > MAX_SKIPPED_WARNINGS)
    skippedSigners.push(`${signersFile}: ${skipped.length - MAX_SKIPPED_WARNINGS} more lines are skipped.`);
  const sigFile = join3(path, SIGNATURE_FILE);
  const info = await lstat2(sigFile).catch(() => void 0);
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
  const found = findSigner(signers, signature.publicBlob, NAMESPACE, now);
  if ("problem" in found)
    throw untrusted(
      sigFile,
      `it is signed by the key ${fingerprint(signature.publicBlob)}, which ${signersFile} does not allow: ${found.problem}${skipped.length > 0 ? ` (${skipped.length} line(s) of it skipped as unreadable: ${skipped.map((s) => s.line).join(", ")})` : ""}`
    );
  const problem = signatureProblem(signature, manifest);
  if (problem) throw untrusted(sigFile, problem);
  return { signer: Buffer.from(found.signer.principals, "latin1").toString("utf8"), skippedSigners };
}
async function readSigners(file) {
  const info = await lstat2(file).catch(() => void 0);
  if (!info?.isFile())
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`The signers file ${file} is missing or not a regular file; give the path of an allowed_signers file.`,
      { file }
    );
  if (info.size > MAX_MANIFEST_BYTES)
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`The signers file ${file} is ${info.size} bytes: too large for an allowed_signers file.`,
      { file }
    );
  return (await readBounded(file, MAX_MANIFEST_BYTES)).toString("latin1");
}
function untrusted(file, reason) {
  return new LicenseBackupError(
    "BACKUP_UNTRUSTED",
    message`The backup's ${file} is not trusted: ${reason}. Nothing was written and no service was called.`,
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
  if (trust.signers === void 0) emit(warning(NOT_AUTHENTICATED_WARNING));
  if (opened.future !== void 0) emit(warning(opened.future));
  for (const message2 of opened.skippedSigners ?? []) emit(warning(message2));
}

export {
  openBackup,
  announceBackup,
  verifyBackup
};
