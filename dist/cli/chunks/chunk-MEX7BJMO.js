#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  nodeFileSystem,
  readLicenseInto,
  readLicenseText
} from "./chunk-4BIDEYEZ.js";

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
var setup = workerData;
if (parentPort && setup?.verifyPool === true) serve(parentPort, workerData);
if (parentPort && setup?.readPool === true) serveReads(parentPort, workerData);

export {
  JWS_ALGORITHMS,
  TrustedKeys,
  batchReader,
  readBatch,
  keySlots,
  checkBatch,
  serve,
  serveReads
};
// 0140), can import it as `@license-backup/protocol/jws/signature`.
