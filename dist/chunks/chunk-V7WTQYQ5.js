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
  constructor(code, message2, details = {}) {
    const { cause, ...rest } = details;
    super(message2, cause === void 0 ? void 0 : { cause });
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

// src/engine/events.ts
function emitter(listener) {
  return (event) => {
    try {
      listener?.(event);
    } catch {
    }
  };
}

// src/engine/service/client.ts
import { randomUUID } from "node:crypto";

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
  "machineKey",
  "include",
  "onRefused",
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

// node_modules/jose/dist/webapi/lib/buffer_utils.js
var encoder = new TextEncoder();
var decoder = new TextDecoder();
var strictDecoder = new TextDecoder("utf-8", { fatal: true });
var UINT32_RANGE = 2 ** 32;
function concat(...buffers) {
  const size = buffers.reduce((acc, { length }) => acc + length, 0), buf = new Uint8Array(size);
  let i = 0;
  for (const buffer of buffers)
    buf.set(buffer, i), i += buffer.length;
  return buf;
}
var NON_ASCII = /[^\x00-\x7f]/;
function encode(string) {
  if (typeof string == "string" && string.length >= 128) {
    if (NON_ASCII.test(string))
      throw new TypeError("non-ASCII string encountered in encode()");
    return encoder.encode(string);
  }
  const bytes = new Uint8Array(string.length);
  for (let i = 0; i < string.length; i++) {
    const code = string.charCodeAt(i);
    if (code > 127)
      throw new TypeError("non-ASCII string encountered in encode()");
    bytes[i] = code;
  }
  return bytes;
}
function encodeBase64(input, url = false) {
  if (Uint8Array.prototype.toBase64)
    return input.toBase64({ alphabet: url ? "base64url" : "base64", omitPadding: url });
  const CHUNK_SIZE = 32768, arr = [];
  for (let i = 0; i < input.length; i += CHUNK_SIZE)
    arr.push(String.fromCharCode.apply(null, input.subarray(i, i + CHUNK_SIZE)));
  const encoded = btoa(arr.join(""));
  return url ? encoded.replace(/=/g, "").replace(/\+/g, "-").replace(/\//g, "_") : encoded;
}
function decodeBase64(encoded, url = false) {
  if (Uint8Array.fromBase64)
    return Uint8Array.fromBase64(encoded, { alphabet: url ? "base64url" : "base64" });
  if (url) {
    if (encoded.includes("+") || encoded.includes("/"))
      throw new TypeError("Invalid base64url");
    encoded = encoded.replace(/-/g, "+").replace(/_/g, "/");
  }
  const binary = atob(encoded), bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++)
    bytes[i] = binary.charCodeAt(i);
  return bytes;
}
async function digest(algorithm, data) {
  const subtleDigest = `SHA-${algorithm.slice(-3)}`;
  return new Uint8Array(await crypto.subtle.digest(subtleDigest, data));
}

// node_modules/jose/dist/webapi/util/errors.js
var JOSEError = class extends Error {
  static code = "ERR_JOSE_GENERIC";
  code = "ERR_JOSE_GENERIC";
  constructor(message2, options) {
    super(message2, options), this.name = this.constructor.name, Error.captureStackTrace?.(this, this.constructor);
  }
};
var JOSEAlgNotAllowed = class extends JOSEError {
  static code = "ERR_JOSE_ALG_NOT_ALLOWED";
  code = "ERR_JOSE_ALG_NOT_ALLOWED";
};
var JOSENotSupported = class extends JOSEError {
  static code = "ERR_JOSE_NOT_SUPPORTED";
  code = "ERR_JOSE_NOT_SUPPORTED";
};
var JWSInvalid = class extends JOSEError {
  static code = "ERR_JWS_INVALID";
  code = "ERR_JWS_INVALID";
};
var JWKInvalid = class extends JOSEError {
  static code = "ERR_JWK_INVALID";
  code = "ERR_JWK_INVALID";
};
var JWSSignatureVerificationFailed = class extends JOSEError {
  static code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  code = "ERR_JWS_SIGNATURE_VERIFICATION_FAILED";
  constructor(message2 = "signature verification failed", options) {
    super(message2, options);
  }
};

// node_modules/jose/dist/webapi/util/base64url.js
var invalid = "The input to be decoded is not correctly encoded.";
function decode(input) {
  try {
    return decodeBase64(typeof input == "string" ? input : decoder.decode(input), true);
  } catch (cause) {
    throw new TypeError(invalid, { cause });
  }
}
function encode2(input) {
  return encodeBase64(typeof input == "string" ? encoder.encode(input) : input, true);
}

// node_modules/jose/dist/webapi/lib/validate.js
function assertUint8Array(input, label) {
  if (!(input instanceof Uint8Array))
    throw new TypeError(`${label} must be an instance of Uint8Array`);
}
function isObject(input) {
  if (typeof input != "object" || input === null || Object.prototype.toString.call(input) !== "[object Object]")
    return false;
  const prototype = Object.getPrototypeOf(input);
  return prototype === null || Object.getPrototypeOf(prototype) === null;
}
function isDisjoint(...headers2) {
  const parameters = /* @__PURE__ */ new Set();
  for (const header of headers2)
    if (header)
      for (const parameter of Object.keys(header)) {
        if (parameters.has(parameter))
          return false;
        parameters.add(parameter);
      }
  return true;
}
function assertNotSet(value, name) {
  if (value !== void 0)
    throw new TypeError(`${name} can only be called once`);
}
function decodeBase64url(value, label, ErrorClass) {
  try {
    return decode(value);
  } catch (cause) {
    throw new ErrorClass(`Failed to base64url decode the ${label}`, { cause });
  }
}
function encodeAsciiMember(value, label, ErrorClass) {
  try {
    return encode(value);
  } catch (cause) {
    throw new ErrorClass(`The ${label} is not a valid base64url string`, { cause });
  }
}
function parseJoseHeader(encodedProtectedHeader, ErrorClass, message2) {
  let parsed;
  try {
    parsed = JSON.parse(strictDecoder.decode(decode(encodedProtectedHeader)));
  } catch (cause) {
    throw new ErrorClass(message2, { cause });
  }
  if (!isObject(parsed))
    throw new ErrorClass(message2);
  return parsed;
}
var JWS_RECOGNIZED = { __proto__: null, b64: true };
function validateAlgorithms(option2, algorithms) {
  if (algorithms !== void 0 && (!Array.isArray(algorithms) || algorithms.some((s) => typeof s != "string")))
    throw new TypeError(`"${option2}" option must be an array of strings`);
  return algorithms === void 0 ? void 0 : new Set(algorithms);
}
function validateCritDuplicates(Err, protectedHeader) {
  const { crit } = protectedHeader ?? {};
  if (Array.isArray(crit) && new Set(crit).size !== crit.length)
    throw new Err('"crit" (Critical) Header Parameter MUST NOT contain duplicate values');
}
function validateCrit(Err, recognizedDefault, recognizedOption, protectedHeader, joseHeader) {
  if (joseHeader.crit !== void 0 && protectedHeader?.crit === void 0)
    throw new Err('"crit" (Critical) Header Parameter MUST be integrity protected');
  if (!protectedHeader || protectedHeader.crit === void 0)
    return [];
  if (!Array.isArray(protectedHeader.crit) || protectedHeader.crit.length === 0 || protectedHeader.crit.some((input) => typeof input != "string" || input.length === 0))
    throw new Err('"crit" (Critical) Header Parameter MUST be an array of non-empty strings when present');
  const recognized = recognizedOption === void 0 ? recognizedDefault : { __proto__: null, ...recognizedOption, ...recognizedDefault };
  for (const parameter of protectedHeader.crit) {
    if (!(parameter in recognized))
      throw new JOSENotSupported(`Extension Header Parameter "${parameter}" is not recognized`);
    if (!Object.hasOwn(joseHeader, parameter) || joseHeader[parameter] === void 0)
      throw new Err(`Extension Header Parameter "${parameter}" is missing`);
    if (recognized[parameter] && (!Object.hasOwn(protectedHeader, parameter) || protectedHeader[parameter] === void 0))
      throw new Err(`Extension Header Parameter "${parameter}" MUST be integrity protected`);
  }
  return protectedHeader.crit;
}
function validateB64(protectedHeader, extensions) {
  if (extensions.includes("b64")) {
    const b64 = protectedHeader.b64;
    if (typeof b64 != "boolean")
      throw new JWSInvalid('The "b64" (base64url-encode payload) Header Parameter must be a boolean');
    return b64;
  }
  return true;
}
function serializeJoseHeader(Err, header) {
  let serialized, parsed;
  try {
    serialized = JSON.stringify(header), parsed = JSON.parse(serialized);
  } catch (cause) {
    throw new Err("JOSE Header is not valid JSON", { cause });
  }
  if (!isObject(parsed))
    throw new Err("JOSE Header is not a JSON object");
  return [parsed, serialized];
}

// node_modules/jose/dist/webapi/lib/key.js
var tag = (key) => key[Symbol.toStringTag];
var jwkMatchesOp = (entry, key, usage) => {
  const { alg } = entry;
  if (key.use !== void 0) {
    const expected = usage === "sign" || usage === "verify" ? "sig" : "enc";
    if (key.use !== expected)
      throw new TypeError(`Invalid key for this operation, its "use" must be "${expected}" when present`);
  }
  if (key.kty === "AKP" && key.alg === void 0)
    throw new TypeError('missing "alg" (Algorithm) Parameter value');
  if (key.alg !== void 0 && key.alg !== alg)
    throw new TypeError(`Invalid key for this operation, its "alg" must be "${alg}" when present`);
  if (Array.isArray(key.key_ops)) {
    const expectedKeyOp = usage === "encrypt" || usage === "decrypt" ? entry.ops?.[usage === "encrypt" ? 0 : 1] : usage;
    if (expectedKeyOp && !key.key_ops.includes(expectedKeyOp))
      throw new TypeError(`Invalid key for this operation, its "key_ops" must include "${expectedKeyOp}" when present`);
  }
};
async function prepareKey(entry, key, usage) {
  const { alg, secret } = entry, requiresPrivateKey = usage === "decrypt" || usage === "sign";
  if (secret && key instanceof Uint8Array)
    return key;
  let normalized, keyObject;
  if (isObject(key)) {
    if (normalized = normalizeJwk(key), typeof normalized.kty != "string")
      throw invalidKeyType(alg, key, secret);
    if (!(secret ? normalized.kty === "oct" && typeof normalized.k == "string" : normalized.kty !== "oct" && (requiresPrivateKey ? normalized.kty === "AKP" && typeof normalized.priv == "string" || typeof normalized.d == "string" : normalized.d === void 0 && normalized.priv === void 0)))
      throw new TypeError(secret ? 'JSON Web Key for symmetric algorithms must have JWK "kty" (Key Type) equal to "oct" and the JWK "k" (Key Value) present' : `JSON Web Key for this operation must be a ${requiresPrivateKey ? "private" : "public"} JWK`);
    if (jwkMatchesOp(entry, normalized, usage), normalized.kty === "oct")
      return decode(normalized.k);
    if (!Object.isFrozen(key)) {
      const { key_ops } = key;
      Array.isArray(key_ops) && Object.freeze(key_ops), Object.freeze(key);
    }
  } else {
    if (!isKeyLike(key))
      throw invalidKeyType(alg, key, secret);
    const expectedType = secret ? "secret" : requiresPrivateKey ? "private" : "public";
    if (key.type !== expectedType && (secret || ["secret", "public", "private"].includes(key.type)))
      throw new TypeError(`${tag(key)} instances must be of type "${expectedType}" for the ${alg} algorithm`);
    if (isCryptoKey(key))
      return key;
    if (keyObject = key, keyObject.type === "secret")
      return keyObject.export();
  }
  cache ||= /* @__PURE__ */ new WeakMap();
  const cacheKey = key;
  let cached = cache.get(cacheKey);
  if (cached?.[alg])
    return cached[alg];
  if (cached || cache.set(cacheKey, cached = {}), keyObject && typeof keyObject.toCryptoKey == "function") {
    const isPublic = keyObject.type === "public", crv = nist[keyObject.asymmetricKeyDetails?.namedCurve], params = entry.resolve?.({ crv, asymmetricKeyType: keyObject.asymmetricKeyType }) ?? entry.subtle;
    return cached[alg] = keyObject.toCryptoKey(params, isPublic, entry.usages[isPublic ? 0 : 1]);
  }
  return normalized ??= keyObject.export({ format: "jwk" }), normalized.alg = alg, cached[alg] = await jwkToKey(entry, normalized);
}
var cache;
var nist = {
  __proto__: null,
  prime256v1: "P-256",
  secp384r1: "P-384",
  secp521r1: "P-521"
};
var isCryptoKey = (key) => {
  if (key?.[Symbol.toStringTag] === "CryptoKey")
    return true;
  try {
    return key instanceof CryptoKey;
  } catch {
    return false;
  }
};
var isKeyObject = (key) => key?.[Symbol.toStringTag] === "KeyObject";
var isKeyLike = (key) => isCryptoKey(key) || isKeyObject(key);
function message(msg, actual, ...types) {
  if (types.length > 2) {
    const last = types.pop();
    msg += `one of type ${types.join(", ")}, or ${last}.`;
  } else types.length === 2 ? msg += `one of type ${types[0]} or ${types[1]}.` : msg += `of type ${types[0]}.`;
  return actual == null ? msg += ` Received ${actual}` : typeof actual == "function" && actual.name ? msg += ` Received function ${actual.name}` : typeof actual == "object" && actual != null && actual.constructor?.name && (msg += ` Received an instance of ${actual.constructor.name}`), msg;
}
var invalidKeyInput = (actual, ...types) => message("Key must be ", actual, ...types);
function invalidKeyType(alg, actual, secret) {
  const types = ["CryptoKey", "KeyObject", "JSON Web Key"];
  return secret && types.push("Uint8Array"), new TypeError(message(`Key for the ${alg} algorithm must be `, actual, ...types));
}
var unusable = (name, prop = "algorithm.name") => new TypeError(`CryptoKey does not support this operation, its ${prop} must be ${name}`);
function checkUsage(key, usage) {
  if (usage && !key.usages.includes(usage))
    throw new TypeError(`CryptoKey does not support this operation, its usages must include ${usage}.`);
}
function checkModulusLength(alg, key) {
  const { modulusLength } = key.algorithm;
  if (typeof modulusLength != "number" || modulusLength < 2048)
    throw new TypeError(`${alg} requires key modulusLength to be 2048 bits or larger`);
}
function checkCryptoKey(key, expected, usage) {
  const algorithm = key.algorithm;
  if (algorithm.name !== expected.name)
    throw unusable(expected.name);
  if (expected.hash && algorithm.hash?.name !== expected.hash)
    throw unusable(expected.hash, "algorithm.hash");
  if (expected.namedCurve && algorithm.namedCurve !== expected.namedCurve)
    throw unusable(expected.namedCurve, "algorithm.namedCurve");
  if (expected.length !== void 0 && algorithm.length !== expected.length)
    throw unusable(expected.length, "algorithm.length");
  checkUsage(key, usage);
}
function snapshotJwk(jwk) {
  return { __proto__: null, ...jwk };
}
function normalizeJwk(jwk) {
  const normalized = snapshotJwk(jwk);
  if (normalized.ext !== void 0 && typeof normalized.ext != "boolean")
    throw new TypeError('"ext" (Extractable) Parameter must be a boolean');
  if (normalized.key_ops !== void 0) {
    const value = normalized.key_ops, keyOps = Array.isArray(value) ? [...value] : void 0;
    if (!keyOps || keyOps.some((operation) => typeof operation != "string") || new Set(keyOps).size !== keyOps.length)
      throw new TypeError('"key_ops" (Key Operations) Parameter must be an array of unique strings');
    normalized.key_ops = keyOps;
  }
  return normalized;
}
function validateExtractableOption(extractable) {
  if (extractable !== void 0 && typeof extractable != "boolean")
    throw new TypeError('"extractable" option must be a boolean');
  return extractable;
}
async function jwkToKey(entry, jwk, extractable) {
  if (!entry.kty.includes(jwk.kty))
    throw new JOSENotSupported('Invalid or unsupported JWK "alg" (Algorithm) Parameter value');
  const algorithm = entry.resolve?.({ kty: jwk.kty, crv: jwk.crv }) ?? entry.subtle, isPrivate = !!(jwk.d || jwk.priv), keyData = { ...jwk, ext: extractable ?? jwk.ext };
  return keyData.kty !== "AKP" && delete keyData.alg, delete keyData.use, crypto.subtle.importKey("jwk", keyData, algorithm, keyData.ext ?? !isPrivate, jwk.key_ops ?? entry.usages[isPrivate ? 1 : 0]);
}
async function rawKey(key, expected, usage, extractable = false) {
  return key instanceof Uint8Array && (key = await crypto.subtle.importKey("raw", key, expected, extractable, [usage])), checkCryptoKey(key, expected, usage), key;
}

// node_modules/jose/dist/webapi/lib/key_descriptor.js
function table(entries) {
  const out = { __proto__: null };
  for (const alg in entries)
    out[alg] = { ...entries[alg], alg };
  return out;
}

// node_modules/jose/dist/webapi/lib/jwe_algorithms.js
var wrap = [
  ["encrypt", "wrapKey"],
  ["decrypt", "unwrapKey"]
];
var derive = [[], ["deriveBits"]];
var none = [[], []];
function rsaes(bits) {
  return {
    kty: ["RSA"],
    mode: "key-encryption",
    subtle: { name: "RSA-OAEP", hash: `SHA-${bits}` },
    usages: wrap,
    ops: ["wrapKey", "unwrapKey"]
  };
}
function ecdh(mode) {
  return {
    kty: ["EC", "OKP"],
    mode,
    subtle: { name: "ECDH" },
    resolve: ({ kty, crv, asymmetricKeyType }) => {
      if (crv === "X25519" || asymmetricKeyType === "x25519")
        return { name: "X25519" };
      if (kty === "OKP")
        throw new JOSENotSupported('Invalid or unsupported JWK "alg" (Algorithm) Parameter value');
      return { name: "ECDH", namedCurve: crv };
    },
    usages: derive,
    ops: [void 0, "deriveBits"]
  };
}
function aeskw(bits, gcm = false) {
  return {
    kty: ["oct"],
    mode: "key-wrapping",
    secret: true,
    subtle: { name: gcm ? "AES-GCM" : "AES-KW", length: bits },
    usages: none,
    ops: gcm ? ["encrypt", "decrypt"] : ["wrapKey", "unwrapKey"]
  };
}
function pbes2() {
  return {
    kty: ["oct"],
    mode: "key-wrapping",
    secret: true,
    subtle: { name: "PBKDF2" },
    usages: none,
    ops: ["deriveBits", "deriveBits"]
  };
}
var JWE = table({
  dir: {
    kty: ["oct"],
    mode: "direct-encryption",
    secret: true,
    subtle: { name: "AES-GCM" },
    usages: none,
    ops: ["encrypt", "decrypt"]
  },
  "RSA-OAEP": rsaes(1),
  "RSA-OAEP-256": rsaes(256),
  "RSA-OAEP-384": rsaes(384),
  "RSA-OAEP-512": rsaes(512),
  "ECDH-ES": ecdh("direct-key-agreement"),
  "ECDH-ES+A128KW": ecdh("key-agreement-with-key-wrapping"),
  "ECDH-ES+A192KW": ecdh("key-agreement-with-key-wrapping"),
  "ECDH-ES+A256KW": ecdh("key-agreement-with-key-wrapping"),
  A128KW: aeskw(128),
  A192KW: aeskw(192),
  A256KW: aeskw(256),
  A128GCMKW: aeskw(128, true),
  A192GCMKW: aeskw(192, true),
  A256GCMKW: aeskw(256, true),
  "PBES2-HS256+A128KW": pbes2(),
  "PBES2-HS384+A192KW": pbes2(),
  "PBES2-HS512+A256KW": pbes2()
});
var contentOps = ["encrypt", "decrypt"];
function contentEncryption(bits, cbc = false) {
  return {
    kty: ["oct"],
    secret: true,
    subtle: { name: cbc ? "AES-CBC" : "AES-GCM", length: bits },
    usages: none,
    ops: contentOps,
    cekBits: bits,
    ivBits: cbc ? 128 : 96,
    cbc
  };
}
var ENC = table({
  A128GCM: contentEncryption(128),
  A192GCM: contentEncryption(192),
  A256GCM: contentEncryption(256),
  "A128CBC-HS256": contentEncryption(256, true),
  "A192CBC-HS384": contentEncryption(384, true),
  "A256CBC-HS512": contentEncryption(512, true)
});

// node_modules/jose/dist/webapi/lib/jws_algorithms.js
var sig = [["verify"], ["sign"]];
function hmac(bits) {
  const subtle = { name: "HMAC", hash: `SHA-${bits}` };
  return { kty: ["oct"], secret: true, subtle, signing: subtle, usages: sig };
}
function rsa(bits, saltLength) {
  const subtle = { name: saltLength ? "RSA-PSS" : "RSASSA-PKCS1-v1_5", hash: `SHA-${bits}` };
  return {
    kty: ["RSA"],
    subtle,
    signing: saltLength ? { ...subtle, saltLength } : subtle,
    usages: sig,
    minRsaBits: 2048
  };
}
function ecdsa(crv, bits) {
  return {
    kty: ["EC"],
    crv,
    subtle: { name: "ECDSA", namedCurve: crv },
    signing: { name: "ECDSA", hash: `SHA-${bits}` },
    usages: sig
  };
}
function eddsa() {
  const subtle = { name: "Ed25519" };
  return {
    kty: ["OKP"],
    crv: "Ed25519",
    subtle,
    signing: subtle,
    usages: sig
  };
}
function mldsa(parameterSet) {
  const subtle = { name: `ML-DSA-${parameterSet}` };
  return {
    kty: ["AKP"],
    subtle,
    signing: subtle,
    usages: sig
  };
}
var JWS = table({
  HS256: hmac(256),
  HS384: hmac(384),
  HS512: hmac(512),
  RS256: rsa(256),
  RS384: rsa(384),
  RS512: rsa(512),
  PS256: rsa(256, 32),
  PS384: rsa(384, 48),
  PS512: rsa(512, 64),
  ES256: ecdsa("P-256", 256),
  ES384: ecdsa("P-384", 384),
  ES512: ecdsa("P-521", 512),
  EdDSA: eddsa(),
  Ed25519: eddsa(),
  "ML-DSA-44": mldsa(44),
  "ML-DSA-65": mldsa(65),
  "ML-DSA-87": mldsa(87)
});
function jwsAlgorithm(alg) {
  const entry = typeof alg == "string" ? JWS[alg] : void 0;
  if (!entry)
    throw new JOSENotSupported(`alg ${alg} is not supported either by JOSE or your javascript runtime`);
  return entry;
}

// node_modules/jose/dist/webapi/lib/jws_verify.js
function prepareVerify(options) {
  return [options && validateAlgorithms("algorithms", options.algorithms), options?.crit];
}
function parseProtectedHeader(encodedProtectedHeader) {
  return encodedProtectedHeader === void 0 ? {} : parseJoseHeader(encodedProtectedHeader, JWSInvalid, "JWS Protected Header is invalid");
}
function encodeCompactUnencodedPayload(payload) {
  try {
    return encode(payload);
  } catch (cause) {
    throw new JWSInvalid("JWS Compact Serialization payload must use only ASCII characters", {
      cause
    });
  }
}
async function verifySignature(jws, shared, key, encodeUnencodedPayload, parsedProtected) {
  const { protected: encodedProtectedHeader, header, payload: inputPayload } = jws, protectedHeader = parsedProtected ?? parseProtectedHeader(encodedProtectedHeader);
  if (!isDisjoint(protectedHeader, header))
    throw new JWSInvalid("JWS Protected and JWS Unprotected Header Parameter names must be disjoint");
  const joseHeader = { ...protectedHeader, ...header }, b64 = validateB64(protectedHeader, validateCrit(JWSInvalid, JWS_RECOGNIZED, shared[1], protectedHeader, joseHeader)), { alg } = joseHeader;
  if (typeof alg != "string" || !alg)
    throw new JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  if (shared[0] && !shared[0].has(alg))
    throw new JOSEAlgNotAllowed('"alg" (Algorithm) Header Parameter value not allowed');
  if (b64) {
    if (typeof inputPayload != "string")
      throw new JWSInvalid("JWS Payload must be a string");
  } else if (typeof inputPayload != "string" && !(inputPayload instanceof Uint8Array))
    throw new JWSInvalid("JWS Payload must be a string or an Uint8Array instance");
  const signingPayload = b64 || typeof inputPayload != "string" ? inputPayload : encodeUnencodedPayload(inputPayload);
  let resolvedKey = false;
  typeof key == "function" && (key = await key(protectedHeader, jws), resolvedKey = true);
  const entry = jwsAlgorithm(alg), signingInput = concat(encodedProtectedHeader !== void 0 ? encode(encodedProtectedHeader) : new Uint8Array(), encode("."), typeof signingPayload == "string" ? shared[2] ??= encodeAsciiMember(signingPayload, "payload", JWSInvalid) : signingPayload), signature = decodeBase64url(jws.signature, "signature", JWSInvalid), verificationKey = await prepareKey(entry, key, "verify"), cryptoKey = await rawKey(verificationKey, entry.subtle, "verify");
  entry.minRsaBits && checkModulusLength(entry.alg, cryptoKey);
  let verified = false;
  try {
    verified = await crypto.subtle.verify(entry.signing, cryptoKey, signature, signingInput);
  } catch (cause) {
    throw new JWSSignatureVerificationFailed(void 0, { cause });
  }
  if (!verified)
    throw new JWSSignatureVerificationFailed();
  const result = { payload: typeof signingPayload == "string" ? decodeBase64url(signingPayload, "payload", JWSInvalid) : signingPayload };
  return encodedProtectedHeader !== void 0 && (result.protectedHeader = protectedHeader), header !== void 0 && (result.unprotectedHeader = header), resolvedKey ? [{ ...result, key: verificationKey }, b64] : [result, b64];
}
async function verifyCompact(jws, shared, key) {
  if (jws instanceof Uint8Array && (jws = decoder.decode(jws)), typeof jws != "string")
    throw new JWSInvalid("Compact JWS must be a string or Uint8Array");
  const { 0: protectedHeader, 1: payload, 2: signature, length } = jws.split(".");
  if (length !== 3)
    throw new JWSInvalid("Invalid Compact JWS");
  return verifySignature({ payload, protected: protectedHeader, signature }, shared, key, encodeCompactUnencodedPayload);
}

// node_modules/jose/dist/webapi/jws/compact/verify.js
async function compactVerify(jws, key, options) {
  const [result] = await verifyCompact(jws, prepareVerify(options), key);
  return result;
}

// node_modules/jose/dist/webapi/lib/jws_sign.js
async function createSignature(input, key, rejectUnencoded) {
  let [payload, protectedHeader, unprotectedHeader, crit] = input, encodedProtectedHeader = "";
  if (protectedHeader !== void 0) {
    const normalized = serializeJoseHeader(JWSInvalid, protectedHeader);
    protectedHeader = normalized[0], encodedProtectedHeader = encode2(normalized[1]);
  }
  if (unprotectedHeader !== void 0 && (unprotectedHeader = serializeJoseHeader(JWSInvalid, unprotectedHeader)[0]), !protectedHeader && !unprotectedHeader)
    throw new JWSInvalid("either setProtectedHeader or setUnprotectedHeader must be called before #sign()");
  if (!isDisjoint(protectedHeader, unprotectedHeader))
    throw new JWSInvalid("JWS Protected and JWS Unprotected Header Parameter names must be disjoint");
  const joseHeader = { ...protectedHeader, ...unprotectedHeader };
  validateCritDuplicates(JWSInvalid, protectedHeader);
  const b64 = validateB64(protectedHeader, validateCrit(JWSInvalid, JWS_RECOGNIZED, crit, protectedHeader, joseHeader));
  b64 || rejectUnencoded?.();
  const { alg } = joseHeader;
  if (typeof alg != "string" || !alg)
    throw new JWSInvalid('JWS "alg" (Algorithm) Header Parameter missing or invalid');
  const entry = jwsAlgorithm(alg);
  let encodedPayload = "", signingPayload = payload, signingInput;
  if (b64) {
    const encodedPayloadCache = input[4];
    encodedPayloadCache ? (encodedPayload = encodedPayloadCache[0] ??= encode2(payload), signingPayload = encodedPayloadCache[1] ??= encode(encodedPayload)) : (encodedPayload = encode2(payload), signingInput = encoder.encode(`${encodedProtectedHeader}.${encodedPayload}`));
  }
  signingInput ??= concat(encode(encodedProtectedHeader), encode("."), signingPayload);
  const signingKey = await rawKey(await prepareKey(entry, key, "sign"), entry.subtle, "sign");
  entry.minRsaBits && checkModulusLength(entry.alg, signingKey);
  const jws = {
    signature: encode2(new Uint8Array(await crypto.subtle.sign(entry.signing, signingKey, signingInput))),
    payload: encodedPayload
  };
  return protectedHeader && (jws.protected = encodedProtectedHeader), unprotectedHeader && (jws.header = unprotectedHeader), [jws, b64];
}
async function createCompactSignature(payload, protectedHeader, crit, key, rejectUnencoded) {
  const [jws] = await createSignature([payload, protectedHeader, void 0, crit], key, rejectUnencoded);
  return `${jws.protected}.${jws.payload}.${jws.signature}`;
}

// node_modules/jose/dist/webapi/jws/compact/sign.js
var CompactSign = class {
  #payload;
  #protectedHeader;
  constructor(payload) {
    assertUint8Array(payload, "payload"), this.#payload = payload;
  }
  setProtectedHeader(protectedHeader) {
    return assertNotSet(this.#protectedHeader, "setProtectedHeader"), this.#protectedHeader = protectedHeader, this;
  }
  async sign(key, options) {
    return createCompactSignature(this.#payload, this.#protectedHeader, options?.crit, key, () => {
      throw new TypeError("use the flattened module for creating JWS with b64: false");
    });
  }
};

// node_modules/jose/dist/webapi/lib/key_algorithm.js
function unsupportedAlg(source = 'JWK "alg" (Algorithm) Parameter') {
  throw new JOSENotSupported(`Invalid or unsupported ${source} value`);
}
function keyAlgorithm(alg, source) {
  return (typeof alg == "string" ? JWS[alg] ?? JWE[alg] : void 0) ?? unsupportedAlg(source);
}

// node_modules/jose/dist/webapi/key/export.js
async function exportJWK(key) {
  if (isKeyObject(key))
    if (key.type === "secret")
      key = key.export();
    else
      return key.export({ format: "jwk" });
  if (key instanceof Uint8Array)
    return {
      kty: "oct",
      k: encode2(key)
    };
  if (!isCryptoKey(key))
    throw new TypeError(invalidKeyInput(key, "CryptoKey", "KeyObject", "Uint8Array"));
  if (!key.extractable)
    throw new TypeError("non-extractable CryptoKey cannot be exported as a JWK");
  const jwk = await crypto.subtle.exportKey("jwk", key);
  delete jwk.ext, delete jwk.key_ops, delete jwk.use, jwk.kty !== "AKP" && delete jwk.alg;
  for (const parameter of Object.keys(jwk))
    jwk[parameter] === void 0 && delete jwk[parameter];
  return jwk;
}

// node_modules/jose/dist/webapi/jwk/thumbprint.js
var check = (value, description) => {
  if (typeof value != "string" || !value)
    throw new JWKInvalid(`${description} missing or invalid`);
};
async function calculateJwkThumbprint(key, digestAlgorithm) {
  let jwk;
  if (isObject(key)) {
    if (jwk = snapshotJwk(key), typeof jwk.kty != "string")
      throw new TypeError(invalidKeyInput(key, "CryptoKey", "KeyObject", "JSON Web Key"));
  } else if (isKeyLike(key))
    jwk = snapshotJwk(await exportJWK(key));
  else
    throw new TypeError(invalidKeyInput(key, "CryptoKey", "KeyObject", "JSON Web Key"));
  if (digestAlgorithm ??= "sha256", digestAlgorithm !== "sha256" && digestAlgorithm !== "sha384" && digestAlgorithm !== "sha512")
    throw new TypeError('digestAlgorithm must one of "sha256", "sha384", or "sha512"');
  let requiredMembers;
  switch (jwk.kty) {
    case "AKP":
      check(jwk.alg, '"alg" (Algorithm) Parameter'), check(jwk.pub, '"pub" (Public key) Parameter'), requiredMembers = { alg: jwk.alg, kty: jwk.kty, pub: jwk.pub };
      break;
    case "EC":
      check(jwk.crv, '"crv" (Curve) Parameter'), check(jwk.x, '"x" (X Coordinate) Parameter'), check(jwk.y, '"y" (Y Coordinate) Parameter'), requiredMembers = { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y };
      break;
    case "OKP":
      check(jwk.crv, '"crv" (Subtype of Key Pair) Parameter'), check(jwk.x, '"x" (Public Key) Parameter'), requiredMembers = { crv: jwk.crv, kty: jwk.kty, x: jwk.x };
      break;
    case "RSA":
      check(jwk.e, '"e" (Exponent) Parameter'), check(jwk.n, '"n" (Modulus) Parameter'), requiredMembers = { e: jwk.e, kty: jwk.kty, n: jwk.n };
      break;
    case "oct":
      if (typeof jwk.k != "string")
        throw new JWKInvalid('"k" (Key Value) Parameter missing or invalid');
      requiredMembers = { k: jwk.k, kty: jwk.kty };
      break;
    default:
      throw new JOSENotSupported('"kty" (Key Type) Parameter missing or unsupported');
  }
  const thumbprintInput = encode(JSON.stringify(requiredMembers));
  return encode2(await digest(digestAlgorithm, thumbprintInput));
}

// node_modules/jose/dist/webapi/key/import.js
async function importJWK(jwk, alg, options) {
  if (!isObject(jwk))
    throw new TypeError("JWK must be an object");
  const normalized = normalizeJwk(jwk), extractable = validateExtractableOption(options?.extractable), { alg: jwkAlg } = normalized;
  if (alg ??= jwkAlg, normalized.kty !== "oct" && !alg)
    throw new TypeError('"alg" argument is required when "jwk.alg" is not present');
  switch (normalized.kty) {
    case "oct":
      if (typeof normalized.k != "string")
        throw new TypeError('missing "k" (Key Value) Parameter value');
      return decode(normalized.k);
    case "AKP": {
      if (typeof jwkAlg != "string" || !jwkAlg)
        throw new TypeError('missing "alg" (Algorithm) Parameter value');
      if (alg !== jwkAlg)
        throw new TypeError("JWK alg and alg option value mismatch");
      return jwkToKey(keyAlgorithm(alg), normalized, extractable);
    }
    case "RSA":
    case "EC":
    case "OKP":
      return jwkToKey(keyAlgorithm(alg), normalized, extractable);
    default:
      throw new JOSENotSupported('Unsupported "kty" (Key Type) Parameter value');
  }
}

// src/engine/service/proof.ts
import { randomBytes } from "node:crypto";
async function sessionProof(machine, audience, now) {
  const payload = { aud: audience, iat: Math.floor(now / 1e3), nonce: randomBytes(24).toString("base64url") };
  const jwk = { kty: "OKP", crv: "Ed25519", x: String(machine.publicJwk.x) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: "EdDSA", typ: "session-proof+jwt", jwk }).sign(machine.privateKey);
}

// src/engine/service/protocol.ts
function sessionShapeError(body) {
  if (!isObject2(body)) return "the body is not a JSON object";
  if (typeof body["id"] !== "string" || !/^[A-Za-z0-9._~-]{1,200}$/.test(body["id"])) {
    return "id is missing or not a session ID";
  }
  if (typeof body["expires_at"] !== "string") return "expires_at is missing";
  return void 0;
}
var RESTORE_STATUSES = ["restored", "refused"];
var PREVIEW_STATUSES = ["would-restore", "held", "refused"];
var RELEASE_STATUSES = ["released", "not-held"];
function resultsShapeError(body, statuses = RESTORE_STATUSES) {
  if (!isObject2(body) || !Array.isArray(body["results"])) return 'the body is not {"results": [...]}';
  for (const [i, result] of body["results"].entries()) {
    if (!isObject2(result)) return `results[${i}] is not an object`;
    if (typeof result["jti"] !== "string") return `results[${i}].jti is missing`;
    if (!statuses.includes(result["status"])) {
      return `results[${i}].status is not one of ${statuses.map((x) => `"${x}"`).join(", ")}`;
    }
    for (const key of ["license", "reason", "url"]) {
      if (result[key] !== void 0 && typeof result[key] !== "string")
        return `results[${i}].${key} is not a string`;
    }
  }
  return void 0;
}
function isObject2(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
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

// src/engine/service/transport.ts
import { setTimeout as delay } from "node:timers/promises";
var defaultSleep = (ms, signal) => delay(ms, void 0, signal ? { signal } : {});
async function send(call, options) {
  let last = "no answer";
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw cancelled("restore");
    const remaining = options.deadline - options.now();
    if (remaining <= 0) throw unavailable(call, last, attempt - 1);
    const result = await attemptOnce(call, options, Math.min(options.timeoutMs, remaining));
    if ("answer" in result && !isRetryableStatus(result.answer.status)) return result.answer;
    last = "answer" in result ? describeStatus(result.answer) : result.failure;
    if (attempt >= options.retry.maxAttempts) throw unavailable(call, last, attempt);
    const wait = waitBefore(call, result, attempt, last, options);
    try {
      await options.sleep(wait, options.signal);
    } catch (error) {
      if (options.signal?.aborted) throw cancelled("restore");
      throw error;
    }
  }
}
function waitBefore(call, result, attempt, last, options) {
  const now = options.now();
  const asked = "answer" in result ? parseRetryAfter(result.answer.retryAfter ?? null, now) : void 0;
  if (asked !== void 0) {
    if (now + asked > options.deadline) {
      const at = new Date(now + asked).toISOString();
      throw new LicenseBackupError(
        "SERVICE_UNAVAILABLE",
        `The license service at ${call.url} answered ${last} and asked to retry in ${Math.ceil(asked / 1e3)} s, past this run's deadline; run the restore again after ${at}.`,
        { url: call.url }
      );
    }
    return asked;
  }
  const wait = backoffDelay(attempt, options.retry, options.random);
  if (now + wait >= options.deadline) throw unavailable(call, last, attempt);
  return wait;
}
async function attemptOnce(call, options, timeoutMs) {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout.signal]) : timeout.signal;
  const headers2 = {
    authorization: `Bearer ${options.token}`,
    accept: "application/json, application/problem+json",
    ...call.headers
  };
  if (call.body !== void 0) headers2["content-type"] = "application/json";
  try {
    const body = typeof call.body === "function" ? await call.body() : call.body;
    const res = await fetch(call.url, {
      method: call.method,
      headers: headers2,
      signal,
      redirect: "manual",
      ...body === void 0 ? {} : { body: JSON.stringify(body) }
    });
    const text = await res.text();
    const answer = {
      url: call.url,
      status: res.status,
      contentType: res.headers.get("content-type") ?? "",
      text
    };
    const retryAfter = res.headers.get("retry-after");
    if (retryAfter !== null) answer.retryAfter = retryAfter;
    return { answer };
  } catch (error) {
    if (options.signal?.aborted) throw cancelled("restore");
    if (timeout.signal.aborted) return { failure: `no answer within ${timeoutMs} ms` };
    return { failure: `a network error (${networkReason(error)})` };
  } finally {
    clearTimeout(timer);
  }
}
function networkReason(error) {
  const cause = error.cause;
  if (typeof cause?.code === "string") return cause.code;
  if (typeof cause?.message === "string") return cause.message;
  return error instanceof Error ? error.message : String(error);
}
function describeStatus(answer) {
  const detail = problemDetail(answer);
  return `HTTP ${answer.status}${detail ? ` (${detail})` : ""}`;
}
function problemSlug(answer) {
  if (!/json/i.test(answer.contentType)) return void 0;
  try {
    const type = JSON.parse(answer.text).type;
    return typeof type === "string" ? type.split("/").at(-1) : void 0;
  } catch {
    return void 0;
  }
}
function problemDetail(answer) {
  if (!/json/i.test(answer.contentType)) return void 0;
  try {
    const body = JSON.parse(answer.text);
    const text = typeof body.detail === "string" ? body.detail : typeof body.title === "string" ? body.title : void 0;
    return text === void 0 ? void 0 : text.length > 300 ? `${text.slice(0, 300)}\u2026` : text;
  } catch {
    return void 0;
  }
}
function unavailable(call, last, attempts) {
  const what = attempts === 0 ? "the deadline passed before it could be asked" : `the last of ${attempts} attempt(s) got ${last}`;
  return new LicenseBackupError(
    "SERVICE_UNAVAILABLE",
    `The license service at ${call.url} did not answer in time: ${what}. Check that the service is up and reachable, then run the restore again.`,
    { url: call.url }
  );
}

// src/engine/service/client.ts
var MAX_BATCH = 1e3;
var DEFAULT_TIMEOUT_MS = 3e4;
var DEFAULT_DEADLINE_MS = 10 * 6e4;
var ServiceClient = class {
  url;
  transport;
  emit;
  tokenEnv;
  constructor(options) {
    this.url = baseUrl(options.url);
    this.tokenEnv = options.tokenEnv;
    const token = checkedToken(options.token, this.url, options.tokenEnv);
    const now = options.now ?? Date.now;
    this.transport = {
      token,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      deadline: now() + (options.deadlineMs ?? DEFAULT_DEADLINE_MS),
      retry: { ...DEFAULT_RETRY, ...options.retry },
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      now,
      ...options.signal ? { signal: options.signal } : {}
    };
    this.emit = emitter(options.listener);
  }
  /**
   * POST /v1/sessions (CONNECTING): validates the token and opens a session for this machine, proving it
   * holds the machine key (protocol v1.1; a new proof for every attempt).
   */
  async openSession(machine, individualize) {
    this.emit({ type: "CONNECTING", url: this.url });
    const jwk = { kty: "OKP", crv: "Ed25519", x: String(machine.publicJwk.x) };
    const call = {
      method: "POST",
      url: `${this.url}/v1/sessions`,
      body: async () => ({
        machine: { id: machine.id, jwk },
        individualize,
        proof: await sessionProof(machine, this.url, this.transport.now())
      })
    };
    const answer = await send(call, this.transport);
    if (answer.status !== 201 && answer.status !== 200) throw this.failure(answer, "open a session");
    const body = this.json(answer);
    const wrong = sessionShapeError(body);
    if (wrong) throw this.badAnswer(answer, wrong);
    const session = body;
    return { id: session.id, expiresAt: session.expires_at, machineId: machine.id };
  }
  /**
   * POST /v1/sessions/{id}/restore for one batch (≤ 1000 licenses), with one Idempotency-Key for all its
   * retries. Every result is checked; outcomes come back in the batch's order. `signal` aborts this call
   * only (the restore drops a batch in flight when an earlier one fails), with `CANCELLED`.
   */
  async restoreBatch(session, licenses, checkLicense, idempotencyKey = randomUUID(), signal) {
    if (licenses.length > MAX_BATCH) throw new RangeError(`A batch holds at most ${MAX_BATCH} licenses`);
    const asked = /* @__PURE__ */ new Map();
    for (const license of licenses) {
      if (asked.has(license.jti)) throw new RangeError(`License ${license.jti} appears twice in one batch`);
      asked.set(license.jti, license);
    }
    const call = {
      method: "POST",
      url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}/restore`,
      body: { licenses: licenses.map((l) => l.jws) },
      headers: { "idempotency-key": idempotencyKey }
    };
    const transport = signal ? {
      ...this.transport,
      signal: this.transport.signal ? AbortSignal.any([this.transport.signal, signal]) : signal
    } : this.transport;
    const answer = await send(call, transport);
    if (answer.status !== 200) throw this.failure(answer, "restore licenses");
    const body = this.json(answer);
    const wrong = resultsShapeError(body);
    if (wrong) throw this.badAnswer(answer, wrong);
    const outcomes = /* @__PURE__ */ new Map();
    for (const result of body.results) {
      const license = asked.get(result.jti);
      if (!license)
        throw this.badAnswer(answer, `it holds a result for license ${result.jti}, which was not asked`);
      if (outcomes.has(result.jti))
        throw this.badAnswer(answer, `it holds two results for license ${result.jti}`);
      const outcome = this.outcome(answer, result, license, session, checkLicense);
      outcome.catch(() => {
      });
      outcomes.set(result.jti, outcome);
    }
    const missing = licenses.filter((l) => !outcomes.has(l.jti));
    const checked = /* @__PURE__ */ new Map();
    for (const [jti, outcome] of outcomes) checked.set(jti, await outcome);
    if (missing.length > 0) {
      throw this.badAnswer(
        answer,
        `it holds no result for ${missing.length} license(s), ${missing[0]?.jti} first`
      );
    }
    return licenses.map((l) => checked.get(l.jti));
  }
  /** Restores any number of licenses in batches of ≤ 1000, emitting PROGRESS after each batch. */
  async restoreAll(session, licenses, checkLicense) {
    const outcomes = [];
    for (let start = 0; start < licenses.length; start += MAX_BATCH) {
      outcomes.push(
        ...await this.restoreBatch(session, licenses.slice(start, start + MAX_BATCH), checkLicense)
      );
      this.emit({
        type: "PROGRESS",
        operation: "restore",
        phase: "service",
        done: outcomes.length,
        total: licenses.length
      });
    }
    return outcomes;
  }
  /**
   * POST /v1/sessions/{id}/preview (v1.1), in batches of ≤ 1000: what a restore would do, using no slot.
   * Undefined when the service speaks v1 only (it has no preview).
   */
  async preview(session, licenses) {
    const outcomes = [];
    for (let start = 0; start < licenses.length; start += MAX_BATCH) {
      const batch = licenses.slice(start, start + MAX_BATCH);
      const call = {
        method: "POST",
        url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}/preview`,
        body: { licenses: batch.map((l) => l.jws) }
      };
      const answer = await send(call, this.transport);
      if (isUnsupported(answer)) return void 0;
      if (answer.status !== 200) throw this.failure(answer, "preview the restore");
      const results = this.results(
        answer,
        batch.map((l) => l.jti),
        PREVIEW_STATUSES
      );
      outcomes.push(
        ...batch.map((license, i) => {
          const result = results[i];
          if (result.status !== "refused")
            return { jti: license.jti, key_id: license.key_id, status: result.status };
          return refusedOutcome(license, result);
        })
      );
    }
    return outcomes;
  }
  /**
   * POST /v1/sessions/{id}/release (v1.1), in batches of ≤ 1000: this machine gives the licenses back.
   * Undefined when the service speaks v1 only; a service whose policy refuses it throws UNAUTHORIZED.
   */
  async release(session, jtis) {
    const statuses = /* @__PURE__ */ new Map();
    for (let start = 0; start < jtis.length; start += MAX_BATCH) {
      const batch = jtis.slice(start, start + MAX_BATCH);
      const call = {
        method: "POST",
        url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}/release`,
        body: { jtis: batch }
      };
      const answer = await send(call, this.transport);
      if (isUnsupported(answer)) return void 0;
      if (answer.status === 403) {
        throw new LicenseBackupError(
          "UNAUTHORIZED",
          `The license service at ${answer.url} refused to take licenses back (HTTP 403: ${problemDetail(answer) ?? "forbidden"}). They keep their slots; ask the service's operator to free them.`,
          { url: answer.url }
        );
      }
      if (answer.status !== 200) throw this.failure(answer, "release licenses");
      const results = this.results(answer, batch, RELEASE_STATUSES);
      for (const result of results) statuses.set(result.jti, result.status);
    }
    return statuses;
  }
  /** DELETE /v1/sessions/{id} (DISCONNECTING). A session already gone (404) counts as closed. */
  async closeSession(session) {
    this.emit({ type: "DISCONNECTING", url: this.url });
    const call = { method: "DELETE", url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}` };
    const answer = await send(call, this.transport);
    if (answer.status === 204 || answer.status === 200 || answer.status === 404) return;
    throw this.failure(answer, "close the session");
  }
  /** An answer's results, one per asked ID in the asked order, or SERVICE_ERROR. */
  results(answer, asked, statuses) {
    const body = this.json(answer);
    const wrong = resultsShapeError(body, statuses);
    if (wrong) throw this.badAnswer(answer, wrong);
    const results = body.results;
    const mismatch = asked.findIndex((jti, i) => results[i]?.jti !== jti);
    if (mismatch >= 0 || results.length !== asked.length) {
      throw this.badAnswer(answer, `its results do not match the ${asked.length} license(s) asked, in order`);
    }
    return results;
  }
  async outcome(answer, result, asked, session, checkLicense) {
    const { jti, key_id } = asked;
    if (result.status === "refused") return refusedOutcome(asked, result);
    if (result.license === void 0 || result.license === "") {
      throw this.badAnswer(answer, `license ${jti} is "restored" but the answer carries no license`);
    }
    try {
      await checkLicense(result.license, { jti, key_id, rights: asked.rights, machineId: session.machineId });
    } catch (error) {
      throw new LicenseBackupError(
        "SERVICE_ERROR",
        `The license service at ${answer.url} returned a license ${jti} (key ID ${key_id}) that fails its check: ${error.message}. Nothing was written; report this to the service's operator.`,
        { url: answer.url, licenseId: jti, keyId: key_id, cause: error }
      );
    }
    return { jti, key_id, status: "restored", license: result.license };
  }
  json(answer) {
    if (!/^application\/([a-z.+-]*\+)?json\b/i.test(answer.contentType)) {
      throw this.badAnswer(answer, `its body is not JSON (content type "${answer.contentType || "none"}")`);
    }
    try {
      return JSON.parse(answer.text);
    } catch {
      throw this.badAnswer(answer, "its body is not valid JSON");
    }
  }
  badAnswer(answer, why) {
    return new LicenseBackupError(
      "SERVICE_ERROR",
      `The license service at ${answer.url} gave an answer this tool cannot use (HTTP ${answer.status}): ${why}. Check that ${option("service.url")} points at a license-backup protocol v1 service.`,
      { url: answer.url }
    );
  }
  /** Maps a final non-success answer to an error (ADR 0020). */
  failure(answer, action) {
    const detail = problemDetail(answer);
    const said = detail ? `: ${detail}` : "";
    const token = this.tokenEnv ? `the token in the environment variable ${this.tokenEnv}` : option("service.token");
    if (answer.status === 401 && /^proof-/.test(problemSlug(answer) ?? "")) {
      return new LicenseBackupError(
        "UNAUTHORIZED",
        `The license service at ${answer.url} refused this machine's proof of possession (HTTP 401${said}). The token was accepted: check this machine's clock and that ${option("service.url")} is the URL the service is reached at.`,
        { url: answer.url }
      );
    }
    if (answer.status === 401) {
      return new LicenseBackupError(
        "UNAUTHORIZED",
        `The license service at ${answer.url} refused the credentials (HTTP 401${said}). Check ${token}.`,
        { url: answer.url }
      );
    }
    if (answer.status === 403) {
      return new LicenseBackupError(
        "UNAUTHORIZED",
        `The license service at ${answer.url} does not allow this token to ${action} (HTTP 403${said}). Use a token with restore access in ${token}.`,
        { url: answer.url }
      );
    }
    if (answer.status === 404) {
      return new LicenseBackupError(
        "SERVICE_ERROR",
        `The license service at ${answer.url} does not know this session (HTTP 404${said}); it may have expired. Run the restore again.`,
        { url: answer.url }
      );
    }
    return new LicenseBackupError(
      "SERVICE_ERROR",
      `The license service at ${answer.url} could not ${action} (HTTP ${answer.status}${said}).`,
      { url: answer.url }
    );
  }
};
function refusedOutcome(asked, result) {
  const url = result.url !== void 0 && /^https?:\/\//i.test(result.url) ? result.url : void 0;
  return {
    jti: asked.jti,
    key_id: asked.key_id,
    status: "refused",
    reason: result.reason ?? "unspecified",
    ...url ? { url } : {}
  };
}
function isUnsupported(answer) {
  if (answer.status === 405 || answer.status === 501) return true;
  return answer.status === 404 && !/session-not-found/.test(answer.text);
}
function baseUrl(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `${capitalized(option("service.url"))} "${url}" is not a URL; give the service's http(s) address.`
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `${capitalized(option("service.url"))} "${url}" is not an http(s) URL.`
    );
  }
  if (parsed.username || parsed.password) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `${capitalized(option("service.url"))} must not carry credentials; give the token in ${option("service.token")}.`
    );
  }
  return parsed.href.replace(/\/+$/, "");
}
function checkedToken(token, url, tokenEnv) {
  const trimmed = (token ?? "").trim();
  const where = tokenEnv ? `the environment variable ${tokenEnv}` : "the service token";
  if (trimmed === "") {
    throw new LicenseBackupError(
      "UNAUTHORIZED",
      `No token for the license service at ${url}: ${where} is empty or unset.`,
      { url }
    );
  }
  if (!/^[\x21-\x7e]+$/.test(trimmed)) {
    throw new LicenseBackupError(
      "UNAUTHORIZED",
      `The token for the license service at ${url} (${where}) holds spaces or characters a bearer token cannot have.`,
      { url }
    );
  }
  return trimmed;
}

// src/engine/service/refusals.ts
function refusalCode(reason) {
  if (reason === "restore-limit") return "RESTORE_LIMIT";
  if (reason === "not-yours") return "UNAUTHORIZED";
  if (["revoked", "expired", "invalid-signature", "invalid-license"].includes(reason))
    return "INVALID_LICENSE";
  return "SERVICE_ERROR";
}
function refusalMessage(refused, title) {
  const which = title ? `"${title}" (key ID ${refused.key_id}, license ${refused.jti})` : `License ${refused.jti} (key ID ${refused.key_id})`;
  const see = refused.url ? ` See ${refused.url}` : "";
  switch (refused.reason) {
    case "restore-limit":
      return `${which} cannot be restored onto this machine: it is already on as many machines as its issuer allows.${see}`;
    case "revoked":
      return `${which} was revoked by its issuer and cannot be restored.${see}`;
    case "expired":
      return `${which} has expired and cannot be restored.${see}`;
    case "not-yours":
      return `${which} belongs to another account at the license service: restore it with a service token of the account it was issued to.${see}`;
    case "invalid-signature":
    case "invalid-license":
      return `${which} was not accepted by the license service (${refused.reason}): the backup holds a license its issuer did not sign.${see}`;
    default:
      return `${which} was refused by the license service (${refused.reason}).${see}`;
  }
}
function refusalEvent(refused, title) {
  if (!refused.url) return void 0;
  return {
    type: "ERROR_WITH_URL",
    code: refusalCode(refused.reason),
    message: refusalMessage(refused, title),
    url: refused.url,
    licenseId: refused.jti,
    keyId: refused.key_id
  };
}
function refusalError(refused, titleOf = () => void 0) {
  const first = refused[0];
  if (!first) throw new RangeError("refusalError needs at least one refusal");
  const limited = refused.find((r) => r.reason === "restore-limit");
  const code = limited ? "RESTORE_LIMIT" : refusalCode(first.reason);
  const lead = limited ?? first;
  const lines = refused.slice(0, 5).map((r) => refusalMessage(r, titleOf(r.key_id)));
  const more = refused.length > 5 ? ` And ${refused.length - 5} more.` : "";
  const message2 = refused.length === 1 ? `${lines[0]} Nothing was restored.` : `The license service refused ${refused.length} licenses; nothing was restored. ${lines.join(" ")}${more}`;
  return new LicenseBackupError(code, message2, {
    licenseId: lead.jti,
    keyId: lead.key_id,
    ...lead.url ? { url: lead.url } : {}
  });
}

// src/engine/format/ssh/signing-key.ts
import { createPrivateKey, createPublicKey } from "node:crypto";

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

// src/engine/format/ssh/signing-key.ts
var BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
var END = "-----END OPENSSH PRIVATE KEY-----";
var MAGIC = Buffer.from("openssh-key-v1\0", "latin1");
function parseSigningKey(text, source) {
  return readOpenSshEd25519(
    text,
    (problem) => new LicenseBackupError(
      "CONFIG_INVALID",
      `The signing key in ${source} ${problem}. Give an unencrypted OpenSSH Ed25519 private key, as \`ssh-keygen -t ed25519 -N ''\` writes it.`
    )
  );
}
function readOpenSshEd25519(text, invalid3) {
  const trimmed = text.replace(/\r/g, "").trim();
  const pem = /^-----BEGIN (RSA|DSA|EC) PRIVATE KEY-----/.exec(trimmed);
  if (pem) throw invalid3(`is a PEM ${pem[1]} key, not Ed25519`);
  if (!trimmed.startsWith(BEGIN) || !trimmed.endsWith(END))
    throw invalid3("is not an OpenSSH private key (it must start with " + BEGIN + ")");
  const body = trimmed.slice(BEGIN.length, -END.length).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw invalid3("is not valid base64 between its armor lines");
  const bytes = Buffer.from(body, "base64");
  try {
    return readKey(bytes, invalid3);
  } catch (error) {
    if (error instanceof WireError) throw invalid3(`is malformed (${error.message})`);
    throw error;
  }
}
function readKey(bytes, invalid3) {
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw invalid3("is not in the openssh-key-v1 format");
  const reader = new WireReader(bytes.subarray(MAGIC.length));
  const cipher = reader.text();
  const kdf = reader.text();
  reader.string();
  if (cipher !== "none" || kdf !== "none")
    throw invalid3("is protected by a passphrase; a job cannot type one: use a key without a passphrase");
  if (reader.uint32() !== 1) throw invalid3("holds more than one key");
  const publicBlob = reader.string();
  const publicType = new WireReader(publicBlob).text();
  if (publicType !== ED25519) throw invalid3(`is a ${publicType} key, not Ed25519`);
  const section = new WireReader(reader.string());
  if (!reader.done) throw invalid3("has data after its key");
  if (section.uint32() !== section.uint32()) throw invalid3("is damaged (its check numbers differ)");
  if (section.text() !== ED25519) throw invalid3("is damaged (its private part is not Ed25519)");
  const publicKey = section.string();
  const secret = section.string();
  section.string();
  const padding = section.rest();
  if (publicKey.length !== 32 || secret.length !== 64 || !secret.subarray(32).equals(publicKey))
    throw invalid3("is damaged (its Ed25519 key is not 32 + 32 bytes)");
  if (!padding.every((byte, i) => byte === i + 1) || padding.length >= 8)
    throw invalid3("is damaged (its padding is wrong)");
  if (!ed25519Blob(publicKey).equals(publicBlob)) throw invalid3("is damaged (its two public keys differ)");
  const privateKey = createPrivateKey({
    key: {
      kty: "OKP",
      crv: "Ed25519",
      d: secret.subarray(0, 32).toString("base64url"),
      x: publicKey.toString("base64url")
    },
    format: "jwk"
  });
  const derived = createPublicKey(privateKey).export({ format: "jwk" }).x;
  if (derived !== publicKey.toString("base64url"))
    throw invalid3("is damaged (its private key does not match its public key)");
  return { privateKey, publicBlob, publicKeyLine: `${ED25519} ${publicBlob.toString("base64")}` };
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
  const invalid3 = (problem) => new LicenseBackupError(
    "CONFIG_INVALID",
    `The store pattern ${JSON.stringify(pattern)} ${problem}; patterns support \`**\` (any folders), \`*\` and \`?\` only, as in "${DEFAULT_PATTERN}".`
  );
  const segments = pattern.split("/");
  if (pattern.length === 0 || pattern.startsWith("/") || segments.includes("..")) {
    throw invalid3("is not a relative pattern inside the store");
  }
  if (segments.some((segment) => segment === "" || segment === ".")) throw invalid3("has an empty or `.` folder");
  for (const [syntax, what] of UNSUPPORTED) {
    if (syntax.test(pattern)) throw invalid3(`uses ${what}, which store patterns do not support`);
  }
  if (segments.some((segment) => segment !== "**" && segment.includes("**"))) {
    throw invalid3('has `**` inside a name; `**` must be a whole folder, as in "a/**/*.jwt"');
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
import { randomBytes as randomBytes2 } from "node:crypto";
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
  const temp = `${file}.tmp-${process.pid}-${randomBytes2(4).toString("hex")}`;
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
function* listChunks(prefix, entries, entryText2) {
  if (entries.length === 0) {
    yield `${prefix}[]`;
    return;
  }
  let text = `${prefix}[
`;
  for (let i = 0; i < entries.length; i++) {
    text += (i === 0 ? "" : ",\n") + entryText2(entries[i]);
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
  if (!isObject3(value)) throw corrupt2("it is not a JSON object");
  if (value["format"] !== FORMAT)
    throw corrupt2(`its format is ${JSON.stringify(value["format"])}, not ${FORMAT}`);
  if (typeof value["created"] !== "string") throw corrupt2("created is missing");
  const tool = value["tool"];
  if (!isObject3(tool) || typeof tool["name"] !== "string" || typeof tool["version"] !== "string")
    throw corrupt2("tool is malformed");
  const source = value["source"];
  if (!isObject3(source) || typeof source["store"] !== "string" || !(source["machine"] === null || typeof source["machine"] === "string")) {
    throw corrupt2("source is malformed");
  }
  const pattern = value["pattern"];
  if (pattern !== void 0 && !isPattern(pattern)) throw corrupt2("pattern is not a store pattern");
  const encryption = value["encryption"];
  if (encryption !== null) {
    if (!isObject3(encryption) || encryption["scheme"] !== "age" || !stringArray(encryption["recipients"])) {
      throw corrupt2("encryption is malformed");
    }
  }
  const pack = value["pack"];
  const expectedPack = encryption === null ? PACK_FILE : ENCRYPTED_PACK_FILE;
  if (!isObject3(pack) || pack["file"] !== expectedPack || !isSha256(pack["sha256"]) || !isSize(pack["size"])) {
    throw corrupt2(`pack is malformed (it must name ${expectedPack} with its sha256 and size)`);
  }
  const licenses = value["licenses"];
  if (!Array.isArray(licenses)) throw corrupt2("licenses is not a list");
  licenses.forEach((license, index) => {
    if (!isObject3(license) || typeof license["jti"] !== "string" || typeof license["key_id"] !== "string" || typeof license["path"] !== "string" || !isSha256(license["sha256"]) || !isSize(license["size"])) {
      throw corrupt2(`licenses[${index}] is malformed`);
    }
  });
  const restricted = value["restricted"];
  if (!Array.isArray(restricted)) throw corrupt2("restricted is not a list");
  restricted.forEach((entry, index) => {
    if (!isObject3(entry) || typeof entry["jti"] !== "string" || typeof entry["key_id"] !== "string" || entry["title"] !== void 0 && typeof entry["title"] !== "string") {
      throw corrupt2(`restricted[${index}] is malformed`);
    }
  });
  const counts = value["counts"];
  if (!isObject3(counts) || !isSize(counts["licenses"]) || !isSize(counts["restricted"]) || !isSize(counts["bytes"])) {
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
function isObject3(value) {
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
  if (!isObject3(tool) || typeof tool["name"] !== "string" || typeof tool["version"] !== "string")
    throw corrupt2("tool is malformed");
  const origin = value["origin"];
  if (!isObject3(origin) || Object.keys(origin).length > MAX_ORIGIN_FIELDS || !Object.values(origin).every((v) => typeof v === "string" && v.length <= MAX_ORIGIN_CHARS)) {
    throw corrupt2("origin is malformed (an object of short strings)");
  }
  if (typeof value["pattern"] !== "string" || value["pattern"] === "") throw corrupt2("pattern is missing");
  const encryption = value["encryption"];
  if (encryption !== null) {
    if (!isObject3(encryption) || encryption["scheme"] !== "age" || !stringArray(encryption["recipients"]))
      throw corrupt2("encryption is malformed");
  }
  const compression = value["compression"];
  if (!COMPRESSIONS.includes(compression))
    throw corrupt2(`compression is ${JSON.stringify(compression)}, not one of ${COMPRESSIONS.join(", ")}`);
  const pack = value["pack"];
  const expected = packFileV2(compression, encryption !== null);
  if (!isObject3(pack) || pack["file"] !== expected || !isSha256(pack["sha256"]) || !isSize(pack["size"]) || !isSize(pack["tar_size"])) {
    throw corrupt2(`pack is malformed (it must name ${expected} with its sha256, size and tar_size)`);
  }
  const counts = value["counts"];
  if (!isObject3(counts) || !isSize(counts["licenses"]) || !isSize(counts["restricted"]))
    throw corrupt2("counts is malformed");
  return value;
}

// src/engine/format/ssh/sshsig.ts
import { createHash, createPublicKey as createPublicKey2, sign, verify } from "node:crypto";
var NAMESPACE = "license-backup";
var HASH = "sha512";
var MAGIC2 = Buffer.from("SSHSIG", "latin1");
var VERSION = 1;
var BEGIN2 = "-----BEGIN SSH SIGNATURE-----";
var END2 = "-----END SSH SIGNATURE-----";
var MAX_SIGNATURE_BYTES = 16 * 1024;
function signedData(namespace, hash, message2) {
  const digest2 = createHash(hash).update(message2).digest();
  return Buffer.concat([MAGIC2, wireString(namespace), wireString(""), wireString(hash), wireString(digest2)]);
}
function signMessage(message2, key) {
  const raw = sign(null, signedData(NAMESPACE, HASH, message2), key.privateKey);
  const blob = Buffer.concat([
    MAGIC2,
    wireUint32(VERSION),
    wireString(key.publicBlob),
    wireString(NAMESPACE),
    wireString(""),
    wireString(HASH),
    wireString(Buffer.concat([wireString(ED25519), wireString(raw)]))
  ]);
  const lines = blob.toString("base64").match(/.{1,70}/g) ?? [];
  return `${BEGIN2}
${lines.join("\n")}
${END2}
`;
}
function parseSignature(text) {
  const trimmed = text.replace(/\r/g, "").trim();
  if (!trimmed.startsWith(BEGIN2) || !trimmed.endsWith(END2))
    throw new WireError("it is not an armored SSH signature");
  const body = trimmed.slice(BEGIN2.length, -END2.length).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new WireError("it is not valid base64");
  const bytes = Buffer.from(body, "base64");
  if (!bytes.subarray(0, MAGIC2.length).equals(MAGIC2)) throw new WireError("it lacks the SSHSIG magic");
  const reader = new WireReader(bytes.subarray(MAGIC2.length));
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
function signatureProblem(signature, message2) {
  if (signature.namespace !== NAMESPACE)
    return `it is made for the namespace ${JSON.stringify(signature.namespace)}, not ${NAMESPACE}`;
  if (signature.hash !== "sha512" && signature.hash !== "sha256")
    return `it uses the hash ${JSON.stringify(signature.hash)}, which SSHSIG does not define`;
  const key = createPublicKey2({
    key: { kty: "OKP", crv: "Ed25519", x: ed25519KeyOf(signature.publicBlob).toString("base64url") },
    format: "jwk"
  });
  const data = signedData(signature.namespace, signature.hash, message2);
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
    const message2 = error.message ?? "";
    if (/no identity matched/i.test(message2)) {
      throw new LicenseBackupError(
        "CONFIG_INVALID",
        `${file} was not encrypted to the given age identity; use the identity whose recipient the backup was encrypted to.`,
        { file, cause: error }
      );
    }
    throw new LicenseBackupError("BACKUP_CORRUPT", `${file} is not a valid age file (${message2}).`, {
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

// src/engine/licenses/license.ts
var LICENSE_ALGORITHMS = ["Ed25519", "EdDSA", "ES256"];
var BASE64URL = /^[A-Za-z0-9_-]*$/;
var FIX = "Replace it with the license as issued, or move it out of the store.";
function parseLicense(text, file) {
  const compact = text.trim();
  const parts = compact.split(".");
  if (parts.length !== 3 || parts.some((part) => part.length === 0)) {
    throw invalid2(file, "it is not a compact JWS (three base64url parts separated by dots)");
  }
  const [headerPart, payloadPart, signaturePart] = parts;
  checkBase64url(headerPart, file, "header");
  checkBase64url(payloadPart, file, "payload");
  checkBase64url(signaturePart, file, "signature");
  const header = checkedHeader(headerPart, file);
  const claims = decodeJsonObject(payloadPart, file, "payload");
  const problem = claimProblem(claims);
  if (problem) {
    throw invalid2(file, problem, {
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
  if (!BASE64URL.test(part) || part.length % 4 === 1) throw invalid2(file, `its ${what} is not base64url`);
}
var headers = /* @__PURE__ */ new Map();
var MAX_CACHED_HEADERS = 256;
function checkedHeader(headerPart, file) {
  const cached = headers.get(headerPart);
  if (cached !== void 0) return cached;
  const header = decodeJsonObject(headerPart, file, "header");
  const alg = header["alg"];
  if (typeof alg !== "string" || !LICENSE_ALGORITHMS.includes(alg)) {
    throw invalid2(file, `its header alg ${describe(alg)} is not one of ${LICENSE_ALGORITHMS.join(", ")}`);
  }
  const kid = header["kid"];
  if (typeof kid !== "string" || kid.length === 0)
    throw invalid2(file, "its header has no kid (signing key ID)");
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
  if (!isObject4(claims["rights"])) return "its rights claim is missing or not an object";
  const backup = claims["rights"]["backup"];
  if (backup !== void 0 && typeof backup !== "boolean") return "its rights.backup is not a boolean";
  const cnf = claims["cnf"];
  if (cnf !== void 0) {
    if (!isObject4(cnf)) return "its cnf claim is not an object";
    if (cnf["jkt"] !== void 0 && !nonEmptyString(cnf["jkt"])) return "its cnf.jkt is not a string";
  }
  return void 0;
}
function decodeJsonObject(part, file, what) {
  let value;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    throw invalid2(file, `its ${what} is not base64url-encoded JSON`);
  }
  if (!isObject4(value)) throw invalid2(file, `its ${what} is not a JSON object`);
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
var invalid2 = invalidLicense;
function isObject4(value) {
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
async function readLicenseFile(store, relative, fileSystem = nodeFileSystem) {
  return readLicenseFileSync(store, relative, fileSystem);
}
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
    const invalid3 = (problem) => new LicenseBackupError(
      "CONFIG_INVALID",
      `${file} line ${index + 1} is not an allowed_signers line: ${problem}. Each line is \`principals [options] ssh-ed25519 AAAA\u2026\`.`,
      { file }
    );
    const tokens = tokenize(line);
    if (tokens === void 0) throw invalid3("a quote is not closed");
    const [principals, ...rest] = tokens;
    if (principals === void 0 || rest.length < 2) throw invalid3("it has too few fields");
    const signer = {
      line: index + 1,
      principals: unquote(principals),
      publicBlob: Buffer.alloc(0),
      certAuthority: false
    };
    if (!KEY_TYPE.test(rest[0])) readOptions(rest.shift(), signer, invalid3);
    const [type, key] = rest;
    if (type === void 0 || key === void 0 || !KEY_TYPE.test(type)) throw invalid3("it names no key type");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw invalid3("its key is not base64");
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
function readOptions(text, signer, invalid3) {
  for (const option2 of splitOptions(text)) {
    const equals = option2.indexOf("=");
    const name = (equals < 0 ? option2 : option2.slice(0, equals)).toLowerCase();
    const value = equals < 0 ? "" : unquote(option2.slice(equals + 1));
    if (name === "cert-authority") signer.certAuthority = true;
    else if (name === "namespaces") signer.namespaces = value.split(",").map((ns) => ns.trim());
    else if (name === "valid-after") signer.validAfter = timestamp(value, invalid3);
    else if (name === "valid-before") signer.validBefore = timestamp(value, invalid3);
    else throw invalid3(`it has the unknown option ${JSON.stringify(name)}`);
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
function timestamp(value, invalid3) {
  const found = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?Z?$/.exec(value);
  if (!found) throw invalid3(`its time ${JSON.stringify(value)} is not YYYYMMDD[HHMM[SS]][Z]`);
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
  if (isObject3(value) && value["format"] === FORMAT_V2)
    return { format: "v2", manifest: parseManifestV2(value, file) };
  return { format: "v1", manifest: parseManifest(text, file) };
}

// src/engine/restore/verify-backup.ts
import { createHash as createHash4 } from "node:crypto";
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
import { createHash as createHash3 } from "node:crypto";
import { createReadStream } from "node:fs";
import { join as join4 } from "node:path";

// src/engine/format/gzip.ts
import { once } from "node:events";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
var GZIP_LEVEL = 5;
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
  const pumpFailed = new AbortController();
  pump.catch((error) => {
    failed = error;
    pumpFailed.abort();
  });
  return {
    write: async (chunk) => {
      if (failed !== void 0) throw failed;
      if (gzip.write(chunk)) return;
      await once(gzip, "drain", { signal: pumpFailed.signal }).catch(() => {
      });
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
var INDEX_HEAD = '{"licenses":[';
var INDEX_MIDDLE = '],\n"restricted":[';
var INDEX_TAIL = "]}\n";
function licenseIndexLine(license, first) {
  return `${first ? "\n" : ",\n"}{"jti":${JSON.stringify(license.jti)},"key_id":${JSON.stringify(license.key_id)},"path":${JSON.stringify(license.path)},"sha256":${JSON.stringify(license.sha256)},"size":${license.size}}`;
}
function restrictedIndexLine(entry, first) {
  const title = entry.title === void 0 ? "" : `,"title":${JSON.stringify(entry.title)}`;
  return `${first ? "\n" : ",\n"}{"jti":${JSON.stringify(entry.jti)},"key_id":${JSON.stringify(entry.key_id)}${title}}`;
}
var MAX_ENTRY_BYTES = 64 * 1024;
var SPACE = /* @__PURE__ */ new Set([32, 9, 10, 13]);
var QUOTE = 34;
var BACKSLASH = 92;
var IndexParser = class {
  constructor(where) {
    this.where = where;
  }
  where;
  state = "start";
  list;
  lists = /* @__PURE__ */ new Set();
  /** The text of the key or entry being cut out, and where its brace depth and strings stand. */
  pieces = [];
  pieceBytes = 0;
  depth = 0;
  inString = false;
  escaped = false;
  /** The entries completed by `chunk`. */
  push(chunk) {
    const out = [];
    let from = -1;
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (this.state === "element" || this.state === "key") {
        if (from < 0) from = i;
        if (!this.scan(byte)) continue;
        this.take(chunk.subarray(from, i + 1));
        from = -1;
        const text = this.cut();
        if (this.state === "key") this.startList(text);
        else {
          out.push(this.entry(text));
          this.state = "next";
        }
        continue;
      }
      if (SPACE.has(byte)) continue;
      if (!this.structural(byte)) continue;
      from = i;
      this.scan(byte);
    }
    if (from >= 0) this.take(chunk.subarray(from));
    return out;
  }
  /** Checks that the index ended whole. */
  end() {
    if (this.state !== "end") throw this.corrupt("it is cut short or not a JSON object");
    if (!this.lists.has("licenses")) throw this.corrupt("licenses is not a list");
    if (!this.lists.has("restricted")) throw this.corrupt("restricted is not a list");
  }
  /** Moves on by one byte outside keys and entries; true when the byte is an entry's first. */
  structural(byte) {
    const expect = (want, next) => {
      if (byte !== want.charCodeAt(0))
        throw this.corrupt(`it has ${JSON.stringify(String.fromCharCode(byte))} where ${want} belongs`);
      this.state = next;
      return false;
    };
    switch (this.state) {
      case "start":
        return expect("{", "key");
      case "colon":
        return expect(":", "open");
      case "open":
        return expect("[", "first");
      case "first":
        this.state = byte === 93 ? "after" : "element";
        return this.state === "element";
      case "next":
        if (byte !== 93) return expect(",", "element");
        this.state = "after";
        return false;
      case "after":
        if (byte !== 125) return expect(",", "key");
        this.state = "end";
        return false;
      default:
        throw this.corrupt("it has data after its end");
    }
  }
  /** Follows one byte of a key or entry; true when it is complete. */
  scan(byte) {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (byte === BACKSLASH) this.escaped = true;
      else if (byte === QUOTE) {
        this.inString = false;
        return this.depth === 0;
      }
      return false;
    }
    if (byte === QUOTE) this.inString = true;
    else if (byte === 123 || byte === 91) this.depth++;
    else if (byte === 125 || byte === 93) {
      if (--this.depth < 0) throw this.corrupt(`it has ${String.fromCharCode(byte)} where an entry belongs`);
      return this.depth === 0;
    } else if (this.depth === 0 && !SPACE.has(byte)) throw this.corrupt("an entry is not a JSON object");
    return false;
  }
  take(piece) {
    this.pieceBytes += piece.length;
    if (this.pieceBytes > MAX_ENTRY_BYTES) throw this.corrupt(`an entry is over ${MAX_ENTRY_BYTES} bytes`);
    this.pieces.push(Buffer.from(piece));
  }
  cut() {
    const text = Buffer.concat(this.pieces, this.pieceBytes).toString("utf8");
    this.pieces = [];
    this.pieceBytes = 0;
    return text;
  }
  startList(keyText) {
    let key;
    try {
      key = JSON.parse(keyText);
    } catch {
      throw this.corrupt("it is not JSON");
    }
    if (key !== "licenses" && key !== "restricted" || this.lists.has(key))
      throw this.corrupt(`it has the key ${JSON.stringify(key)} (only licenses and restricted, once each)`);
    this.lists.add(key);
    this.list = key;
    this.state = "colon";
  }
  entry(text) {
    let value;
    try {
      value = JSON.parse(text);
    } catch {
      throw this.corrupt("it is not JSON");
    }
    if (this.list === "licenses") {
      if (!isObject3(value) || typeof value["jti"] !== "string" || typeof value["key_id"] !== "string" || typeof value["path"] !== "string" || !isSha256(value["sha256"]) || !isSize(value["size"]))
        throw this.corrupt("a license entry is malformed");
      return { list: "licenses", entry: value };
    }
    if (!isObject3(value) || typeof value["jti"] !== "string" || typeof value["key_id"] !== "string" || value["title"] !== void 0 && typeof value["title"] !== "string")
      throw this.corrupt("a restricted entry is malformed");
    return { list: "restricted", entry: value };
  }
  corrupt(problem) {
    return new LicenseBackupError("BACKUP_CORRUPT", `${this.where} is not a valid pack index: ${problem}.`, {
      file: this.where
    });
  }
};
function parseIndex(data, where) {
  const parser = new IndexParser(where);
  const index = { licenses: [], restricted: [] };
  for (const item of parser.push(data)) {
    if (item.list === "licenses") index.licenses.push(item.entry);
    else index.restricted.push(item.entry);
  }
  parser.end();
  return index;
}

// src/engine/flat/entry-prints.ts
import { createHash as createHash2 } from "node:crypto";
var PRINT_BYTES = 8;
var EntryPrints = class {
  bytes = Buffer.alloc(PRINT_BYTES * 1024);
  count = 0;
  get length() {
    return this.count;
  }
  push(entryText2) {
    if ((this.count + 1) * PRINT_BYTES > this.bytes.length) {
      const grown = Buffer.alloc(this.bytes.length * 2);
      this.bytes.copy(grown);
      this.bytes = grown;
    }
    print(entryText2).copy(this.bytes, this.count * PRINT_BYTES);
    this.count++;
  }
  /** Whether member `index` of the first reading had this entry text. */
  matches(index, entryText2) {
    if (index >= this.count) return false;
    const at = index * PRINT_BYTES;
    return print(entryText2).equals(this.bytes.subarray(at, at + PRINT_BYTES));
  }
};
function print(text) {
  return createHash2("sha256").update(text).digest().subarray(0, PRINT_BYTES);
}

// src/engine/flat/fingerprint-set.ts
var FingerprintSet = class {
  /** Two 32-bit halves a slot; a slot of two zeros is empty (the low half is never zero). */
  slots;
  mask;
  /** 32 less the capacity's bits: a slot is the top bits of a multiplicative hash (below). */
  shift;
  count = 0;
  constructor(expected = 1024) {
    let capacity = 1024;
    while (capacity < expected * 1.5) capacity *= 2;
    this.slots = new Uint32Array(capacity * 2);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }
  get size() {
    return this.count;
  }
  /** Adds `text`'s fingerprint; false when it was (maybe) there already. */
  add(text) {
    return this.addFingerprint(hashHigh(text), hashLow(text));
  }
  /** Whether `text`'s fingerprint is (maybe) in the set. */
  has(text) {
    const high = hashHigh(text);
    const low = hashLow(text);
    for (let slot = this.home(high); ; slot = slot + 1 & this.mask) {
      const at = slot * 2;
      if (this.slots[at + 1] === 0) return false;
      if (this.slots[at] === high && this.slots[at + 1] === low) return true;
    }
  }
  /**
   * The first slot to try: Fibonacci hashing of the high half. FNV's low bits mix poorly for strings
   * that differ in a few characters, and linear probing from them clustered (µs an insert at a million).
   */
  home(high) {
    return Math.imul(high, 2654435761) >>> this.shift;
  }
  addFingerprint(high, low) {
    for (let slot = this.home(high); ; slot = slot + 1 & this.mask) {
      const at = slot * 2;
      if (this.slots[at + 1] === 0) {
        this.slots[at] = high;
        this.slots[at + 1] = low;
        if (++this.count * 4 > (this.mask + 1) * 3) this.grow();
        return true;
      }
      if (this.slots[at] === high && this.slots[at + 1] === low) return false;
    }
  }
  grow() {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    this.mask = old.length - 1;
    this.shift--;
    this.count = 0;
    for (let at = 0; at < old.length; at += 2) {
      if (old[at + 1] !== 0) this.addFingerprint(old[at], old[at + 1]);
    }
  }
};
function hashHigh(text) {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
function hashLow(text) {
  let h = 2538058380 ^ text.length;
  for (let i = 0; i < text.length; i++) {
    h = Math.imul(h ^ text.charCodeAt(i), 1540483477);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ h >>> 15, 2246822507);
  return (h ^ h >>> 16 | 1) >>> 0;
}

// src/engine/restore/read-pack-v2.ts
async function* readPackV2(context, signal, known) {
  const { path, manifest } = context;
  const packFile = join4(path, manifest.pack.file);
  const prints = new EntryPrints();
  const names = new FingerprintSet();
  const folders = new FingerprintSet();
  const ids = new FingerprintSet();
  const membersDigest = createHash3("sha256");
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
    const sha256 = createHash3("sha256").update(member.data).digest("hex");
    const license = parseLicense(member.data.toString("utf8"), `${member.name} (in the backup at ${path})`);
    const entry = {
      jti: license.jti,
      key_id: license.keyId,
      path: member.name,
      sha256,
      size: member.size
    };
    const text = entryText(entry);
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
function entryText(entry) {
  return `${JSON.stringify([entry.jti, entry.key_id, entry.path, entry.sha256, entry.size])}
`;
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
  const digest2 = createHash3("sha256");
  let licenses = 0;
  let restricted = 0;
  for await (const chunk of chunks) {
    for (const item of parser.push(chunk)) {
      if (item.list === "restricted") {
        restricted++;
        continue;
      }
      digest2.update(entryText(item.entry));
      licenses++;
    }
  }
  parser.end();
  return { digest: digest2.digest("hex"), licenses, restricted };
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
  const check2 = (license) => {
    const checked = options.verifier.verify(license);
    checked.catch(() => {
    });
    checks.push(checked);
    if (++done % 1e3 === 0) options.onProgress?.(done, total);
    return checks.length >= VERIFY_AHEAD ? checks.shift() : Promise.resolve();
  };
  if (opened.format === "v1") {
    const context2 = { path, packFile, manifest: opened.manifest, identity: options.identity };
    for (const entry of opened.manifest.licenses) options.onEntry?.(entry);
    for await (const { license } of readMembers(context2, options.signal)) await check2(license);
    for (const pending of checks) await pending;
    return {
      path,
      opened,
      count: opened.manifest.licenses.length,
      restricted: opened.manifest.restricted.length,
      licenses: (signal) => readMembers(context2, signal)
    };
  }
  const context = { path, manifest: opened.manifest, identity: options.identity };
  const matches2 = patternCheck(path, opened.manifest.pattern, options.pattern);
  const reading = readPackV2(context, options.signal);
  let step = await reading.next();
  while (!step.done) {
    matches2(step.value.entry);
    options.onEntry?.(step.value.entry);
    await check2(step.value.license);
    step = await reading.next();
  }
  for (const pending of checks) await pending;
  const first = step.value;
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
  const matches2 = patternCheck(path, recorded, option2);
  for (const entry of entries) matches2(entry);
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
  const hash = createHash4("sha256");
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
    if (createHash4("sha256").update(member.data).digest("hex") !== entry.sha256) {
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

// src/engine/slots/service-link.ts
var ServiceLink = class {
  constructor(options) {
    this.options = options;
  }
  options;
  /** Licenses this run re-issued that the machine did not hold before: the slots the run took. */
  taken = [];
  client;
  session;
  v1 = false;
  get url() {
    return this.options.service.url;
  }
  /** The client and its session, opened on first use. */
  async open() {
    const { service, emit, signal, machine, individualize } = this.options;
    this.client ??= new ServiceClient({ ...service, listener: emit, ...signal ? { signal } : {} });
    this.session ??= await this.client.openSession(machine, individualize);
    return { client: this.client, session: this.session };
  }
  /** What a restore of these licenses would do; undefined from a v1 service. */
  async preview(licenses) {
    if (this.v1) return void 0;
    const { client, session } = await this.open();
    const outcomes = await client.preview(session, licenses);
    if (!outcomes) this.speaksV1();
    return outcomes;
  }
  /** Gives licenses back; undefined from a v1 service. */
  async release(jtis) {
    if (this.v1) return void 0;
    const { client, session } = await this.open();
    const statuses = await client.release(session, jtis);
    if (!statuses) this.speaksV1();
    return statuses;
  }
  /** Closes the session if one is open; a failure to close is not the run's. */
  async close() {
    const { client, session } = this;
    this.session = void 0;
    if (client && session) await client.closeSession(session).catch(() => {
    });
  }
  /**
   * After a failed or cancelled restore, gives back the slots it took, so a restore that committed nothing
   * uses none. Runs outside the run's signal (a cancelled run still gives back), in a session of its own
   * with no events, bounded to 15 s. When it cannot, a warning names the licenses that still hold a slot.
   */
  async giveBack() {
    if (this.taken.length === 0 || this.v1) return;
    const { service, machine, individualize, emit } = this.options;
    const client = new ServiceClient({
      ...service,
      deadlineMs: Math.min(service.deadlineMs ?? 15e3, 15e3)
    });
    let session;
    try {
      session = await client.openSession(machine, individualize);
      await client.release(session, this.taken);
      this.taken.length = 0;
    } catch (error) {
      emit({
        type: "WARNING",
        message: `The restore failed and could not give back the slots it took at ${this.url} (${error.message}). ${this.taken.length} license(s) still hold a slot of this machine: ${listed(this.taken)}. Run a release step for them, or ask the service's operator.`
      });
    } finally {
      if (session) await client.closeSession(session).catch(() => {
      });
    }
  }
  speaksV1() {
    this.v1 = true;
    this.options.emit({
      type: "WARNING",
      message: `The license service at ${this.url} speaks protocol v1: slots cannot be previewed or released, so a refusal shows only during the restore, and a restored license keeps its slot.`
    });
  }
};
function listed(ids) {
  const shown = ids.slice(0, 10).join(", ");
  return ids.length > 10 ? `${shown} and ${ids.length - 10} more` : shown;
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
  emitter,
  compactVerify,
  calculateJwkThumbprint,
  importJWK,
  isRetryableStatus,
  backoffDelay,
  parseRetryAfter,
  MAX_BATCH,
  ServiceClient,
  refusalCode,
  refusalMessage,
  refusalEvent,
  refusalError,
  ServiceLink,
  listed,
  parseSigningKey,
  readOpenSshEd25519,
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
  readLicenseFile,
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
  INDEX_HEAD,
  INDEX_MIDDLE,
  INDEX_TAIL,
  licenseIndexLine,
  restrictedIndexLine,
  parseIndex,
  FingerprintSet,
  MAX_MANIFEST_BYTES,
  verifyBackup,
  restrictedLicenseMessage,
  restrictedSummaryMessage
};
