import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

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
function serve(port, setup) {
  const checker = { slots: keySlots(setup.keys), algorithms: setup.algorithms };
  port.on("message", ({ id, meta, text }) => {
    const results = checkBatch(checker, meta, text);
    port.postMessage({ id, results }, [results.buffer]);
  });
}
if (parentPort && workerData?.verifyPool === true) {
  serve(parentPort, workerData);
}

export {
  JWS_ALGORITHMS,
  importPublicKey,
  keySlots,
  checkBatch,
  serve
};
// 0140), can import it as `@license-backup/protocol/jws/signature`.
