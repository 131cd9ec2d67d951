import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

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
  "ageIdentity",
  "machineKey",
  "include",
  "jtis",
  "onRefused",
  "lease",
  "service.url",
  "service.token",
  "signers",
  "rollBackInterrupted"
];
function option(name) {
  return notText({ option: name, ask: "name" });
}
function turnOn(name) {
  return notText({ option: name, ask: "turn-on" });
}
function capitalized(mention) {
  return notText({ ...mention, capital: true });
}
function notText(structure) {
  return Object.defineProperty(structure, "toString", {
    value: () => {
      throw new TypeError("An engine message part was put into a plain string: build it with message`\u2026`.");
    }
  });
}
var ENGINE_WORDS = Object.fromEntries(
  ENGINE_OPTIONS.map((name) => [name, { name: `the \`${name}\` option` }])
);
function mentionIn(mention, words) {
  const entry = words[mention.option];
  const phrase2 = mention.ask === "turn-on" ? entry.turnOn ?? `turn on ${entry.name}` : entry.name;
  return mention.capital ? phrase2.charAt(0).toUpperCase() + phrase2.slice(1) : phrase2;
}

// src/engine/message.ts
function message(strings, ...holes) {
  const parts = [];
  const text = (s) => {
    if (s) parts.push({ text: s });
  };
  text(strings[0]);
  holes.forEach((hole, i) => {
    if (typeof hole === "string" || typeof hole === "number") {
      if (hole !== "") parts.push({ value: String(hole) });
    } else if ("parts" in hole) parts.push(...hole.parts);
    else parts.push(hole);
    text(strings[i + 1]);
  });
  return notText({ parts });
}
function prose(text) {
  return notText({ parts: [{ text }] });
}
function phrase(text, words, value = (v) => v) {
  return text.parts.map((part) => "text" in part ? part.text : "value" in part ? value(part.value) : mentionIn(part, words)).join("");
}
function optionsOf(text) {
  return [...new Set(text.parts.flatMap((part) => "option" in part ? [part.option] : []))];
}
function valuesOf(text) {
  return text.parts.flatMap((part) => "value" in part ? [part.value] : []);
}

// src/engine/events.ts
function emitter(listener) {
  return (event) => {
    try {
      listener?.(event);
    } catch {
    }
  };
}
function warning(text) {
  const structured = typeof text === "string" ? prose(text) : text;
  return { type: "WARNING", message: phrase(structured, ENGINE_WORDS), parts: structured.parts };
}

// src/engine/errors.ts
var LicenseBackupError = class extends Error {
  code;
  subject;
  /** The message as structure, for a host to phrase (the error is itself an EngineMessage). */
  parts;
  /** The engine options the message mentions (what to change), each once. */
  options;
  /** The values the message interpolates: outside text a host neutralises. */
  values;
  constructor(code, message2, details = {}) {
    const { cause, ...subject } = details;
    const text = typeof message2 === "string" ? prose(message2) : message2;
    super(phrase(text, ENGINE_WORDS), cause === void 0 ? void 0 : { cause });
    this.name = "LicenseBackupError";
    this.code = code;
    this.subject = subject;
    this.parts = text.parts;
    this.options = optionsOf(text);
    this.values = valuesOf(text);
  }
};
function isLicenseBackupError(error) {
  return error instanceof LicenseBackupError;
}
function cancelled(operation) {
  return new LicenseBackupError("CANCELLED", message`The ${operation} was cancelled; nothing was changed.`);
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
    message`An unexpected error stopped the run (${what}): a bug in license-backup. Please report it with the debug log, which holds its stack.${state ? ` ${state}` : ""}`,
    { cause: error }
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
  const invalid = (problem) => new LicenseBackupError(
    "CONFIG_INVALID",
    message`The store pattern ${JSON.stringify(pattern)} ${problem}; patterns support \`**\` (any folders), \`*\` and \`?\` only, as in "${DEFAULT_PATTERN}".`
  );
  const segments = pattern.split("/");
  if (pattern.length === 0 || pattern.startsWith("/") || segments.includes("..")) {
    throw invalid("is not a relative pattern inside the store");
  }
  if (segments.some((segment) => segment === "" || segment === ".")) throw invalid("has an empty or `.` folder");
  for (const [syntax, what] of UNSUPPORTED) {
    if (syntax.test(pattern)) throw invalid(`uses ${what}, which store patterns do not support`);
  }
  if (segments.some((segment) => segment !== "**" && segment.includes("**"))) {
    throw invalid('has `**` inside a name; `**` must be a whole folder, as in "a/**/*.jwt"');
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

export {
  option,
  turnOn,
  capitalized,
  message,
  prose,
  phrase,
  emitter,
  warning,
  LicenseBackupError,
  isLicenseBackupError,
  cancelled,
  throwIfAborted,
  asEngineError,
  internalError,
  WireError,
  WireReader,
  wireString,
  wireUint32,
  ED25519,
  ed25519Blob,
  ed25519KeyOf,
  DEFAULT_PATTERN,
  compileGlob
};
