import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  loadMachineIdentity,
  machineIdOf,
  machineIdentityFile
} from "./chunk-RD7ZDTNY.js";
import {
  readOpenSshEd25519
} from "./chunk-YW2WGFB2.js";
import {
  LicenseBackupError,
  compileGlob,
  option
} from "./chunk-DTKXSJ5O.js";

// src/engine/slots/machine-key.ts
import { createPrivateKey, createPublicKey } from "node:crypto";
async function parseMachineKey(text) {
  const trimmed = text.trim();
  const privateKey = trimmed.startsWith("{") ? fromJwk(trimmed) : fromOpenSsh(trimmed);
  const x = createPublicKey(privateKey).export({ format: "jwk" }).x;
  const publicJwk = { kty: "OKP", crv: "Ed25519", x };
  return { id: await machineIdOf(publicJwk), publicJwk, privateKey };
}
function fromJwk(text) {
  let jwk;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw invalid("it starts like a JWK but is not JSON");
  }
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519") throw invalid("the JWK is not an Ed25519 (OKP) key");
  if (typeof jwk.d !== "string") throw invalid("the JWK has no private part (d)");
  try {
    const key = createPrivateKey({
      key: { kty: "OKP", crv: "Ed25519", d: jwk.d, x: jwk.x ?? "" },
      format: "jwk"
    });
    if (jwk.x !== void 0 && createPublicKey(key).export({ format: "jwk" }).x !== jwk.x) {
      throw invalid("its public part (x) does not match its private part (d)");
    }
    return key;
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error;
    throw invalid("the JWK does not load as an Ed25519 private key");
  }
}
function fromOpenSsh(text) {
  if (!text.startsWith("-----BEGIN ")) {
    throw invalid('it is neither an Ed25519 private JWK ({"kty": "OKP", \u2026}) nor an OpenSSH private key');
  }
  return readOpenSshEd25519(text, (problem) => invalid(`the OpenSSH key ${problem}`)).privateKey;
}
function invalid(why) {
  return new LicenseBackupError(
    "CONFIG_INVALID",
    `The machine key in ${option("machineKey")} cannot be used: ${why}. Give an Ed25519 private key as a JWK or as an OpenSSH private key (ssh-keygen -t ed25519).`
  );
}

// src/engine/slots/machine.ts
async function machineOf(store, machineKey) {
  const own = await loadMachineIdentity(store);
  if (machineKey === void 0) return own;
  const given = await parseMachineKey(machineKey);
  if (own && own.id !== given.id) {
    throw new LicenseBackupError(
      "STORE_INVALID",
      `The store ${store} belongs to machine ${own.id} (${machineIdentityFile(store)}), but the machine key in ${option("machineKey")} is machine ${given.id}. Use that machine's key, or a store of this machine.`,
      { file: machineIdentityFile(store) }
    );
  }
  return given;
}

// src/engine/store/include.ts
function includeFilter(include) {
  if (!include || include.length === 0) return () => true;
  const ids = new Set(include);
  const globs = include.filter(isPattern).map(compileGlob);
  return ({ jti, keyId, path }) => ids.has(jti) || ids.has(keyId) || globs.some((glob) => glob.test(path));
}
function isPattern(entry) {
  return /[/*?]/.test(entry) || entry.endsWith(".jwt");
}

export {
  machineOf,
  includeFilter
};
