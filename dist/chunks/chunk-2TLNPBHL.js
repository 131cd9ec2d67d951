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
  "CANCELLED"
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
function validateAlgorithms(option, algorithms) {
  if (algorithms !== void 0 && (!Array.isArray(algorithms) || algorithms.some((s) => typeof s != "string")))
    throw new TypeError(`"${option}" option must be an array of strings`);
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
      `The license service at ${answer.url} gave an answer this tool cannot use (HTTP ${answer.status}): ${why}. Check that service.url points at a license-backup protocol v1 service.`,
      { url: answer.url }
    );
  }
  /** Maps a final non-success answer to an error (ADR 0020). */
  failure(answer, action) {
    const detail = problemDetail(answer);
    const said = detail ? `: ${detail}` : "";
    const token = this.tokenEnv ? `the token in the environment variable ${this.tokenEnv}` : "the service token";
    if (answer.status === 401) {
      return new LicenseBackupError(
        "UNAUTHORIZED",
        `The license service at ${answer.url} refused the credentials (HTTP 401${said}). Check ${token} (service.token-env).`,
        { url: answer.url }
      );
    }
    if (answer.status === 403) {
      return new LicenseBackupError(
        "UNAUTHORIZED",
        `The license service at ${answer.url} does not allow this token to ${action} (HTTP 403${said}). Use a token with restore access in ${token} (service.token-env).`,
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
      `service.url "${url}" is not a URL; give the service's http(s) address.`
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new LicenseBackupError("CONFIG_INVALID", `service.url "${url}" is not an http(s) URL.`);
  }
  if (parsed.username || parsed.password) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      "service.url must not carry credentials; give the token through service.token-env."
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

// src/engine/format/manifest.ts
var FORMAT = "license-backup/v1";
var MANIFEST_FILE = "manifest.json";
var PACK_FILE = "licenses.tar";
var ENCRYPTED_PACK_FILE = "licenses.tar.age";

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
import { randomBytes as randomBytes2 } from "node:crypto";
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

// src/engine/restore/verify-backup.ts
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { lstat as lstat2, open as open2 } from "node:fs/promises";
import { join as join4 } from "node:path";
var MAX_MANIFEST_BYTES = 512 * 1024 * 1024;
var MAX_LICENSES = 1e7;
var VERIFY_AHEAD = 256;
async function verifyBackup(path, options) {
  const manifest = await readManifest(path);
  const packFile = join4(path, manifest.pack.file);
  await checkPackDigest(path, packFile, manifest);
  const context = { path, packFile, manifest, identity: options.identity };
  let done = 0;
  const checks = [];
  for await (const { license } of readMembers(context, options.signal)) {
    const check2 = options.verifier.verify(license);
    check2.catch(() => {
    });
    checks.push(check2);
    if (checks.length >= VERIFY_AHEAD) await checks.shift();
    if (++done % 1e3 === 0) options.onProgress?.(done, manifest.licenses.length);
  }
  for (const check2 of checks) await check2;
  return { path, manifest, licenses: (signal) => readMembers(context, signal) };
}
async function readManifest(path) {
  const file = join4(path, MANIFEST_FILE);
  let info;
  try {
    info = await lstat2(file);
  } catch {
    throw corrupt(
      path,
      `it has no ${MANIFEST_FILE}, so it is not a backup (a backup is committed by its manifest, written last)`
    );
  }
  if (!info.isFile()) throw corrupt(path, `its ${MANIFEST_FILE} is not a regular file`);
  if (info.size > MAX_MANIFEST_BYTES) {
    throw corrupt(path, `its ${MANIFEST_FILE} is ${info.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte cap`);
  }
  const handle = await open2(file, "r");
  let text;
  try {
    text = await handle.readFile("utf8");
  } finally {
    await handle.close();
  }
  const manifest = parseManifest(text, file);
  checkEntries(path, manifest);
  return manifest;
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
    file: join4(path, manifest.pack.file),
    maxMemberSize: MAX_LICENSE_BYTES,
    signal
  })) {
    const where = `member ${JSON.stringify(member.name)} of ${join4(path, manifest.pack.file)}`;
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
    if (!outcomes) this.speaksV1("previewed");
    return outcomes;
  }
  /** Gives licenses back; undefined from a v1 service. */
  async release(jtis) {
    if (this.v1) return void 0;
    const { client, session } = await this.open();
    const statuses = await client.release(session, jtis);
    if (!statuses) this.speaksV1("released");
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
  speaksV1(what) {
    this.v1 = true;
    this.options.emit({
      type: "WARNING",
      message: `The license service at ${this.url} speaks protocol v1: slots cannot be previewed or released (${what}), so a refusal shows only during the restore, and a restored license keeps its slot.`
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
  emitter,
  compactVerify,
  calculateJwkThumbprint,
  importJWK,
  MAX_BATCH,
  ServiceClient,
  refusalCode,
  refusalMessage,
  refusalEvent,
  refusalError,
  ServiceLink,
  listed,
  FORMAT,
  MANIFEST_FILE,
  PACK_FILE,
  ENCRYPTED_PACK_FILE,
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
  globToRegExp,
  STATE_DIR,
  listLicenseFiles,
  checkStoreDir,
  MAX_MANIFEST_BYTES,
  verifyBackup,
  unsafeName,
  restrictedLicenseMessage,
  restrictedSummaryMessage
};
