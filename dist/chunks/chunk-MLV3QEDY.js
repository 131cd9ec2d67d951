import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  loadMachineIdentity,
  machineIdOf,
  machineIdentityFile
} from "./chunk-QW7B6LSG.js";
import {
  LicenseBackupError,
  compileGlob,
  option
} from "./chunk-EC2RGYBU.js";

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
var OPENSSH = /^-----BEGIN OPENSSH PRIVATE KEY-----([\s\S]+?)-----END OPENSSH PRIVATE KEY-----$/;
var MAGIC = "openssh-key-v1\0";
function fromOpenSsh(text) {
  const body = OPENSSH.exec(text)?.[1];
  if (body === void 0) {
    throw invalid('it is neither an Ed25519 private JWK ({"kty": "OKP", \u2026}) nor an OpenSSH private key');
  }
  const data = Buffer.from(body.replace(/\s+/g, ""), "base64");
  if (data.subarray(0, MAGIC.length).toString("latin1") !== MAGIC)
    throw invalid("it is not an openssh-key-v1 key");
  const reader = new SshReader(data, MAGIC.length);
  const cipher = reader.string().toString();
  reader.string();
  reader.string();
  if (cipher !== "none") {
    throw invalid('the OpenSSH key is encrypted with a passphrase; give it without one (ssh-keygen -p -N "")');
  }
  if (reader.uint32() !== 1) throw invalid("the OpenSSH file must hold exactly one key");
  reader.string();
  const secret = new SshReader(reader.string(), 0);
  if (secret.uint32() !== secret.uint32()) throw invalid("the OpenSSH key is damaged (check bytes differ)");
  const type = secret.string().toString();
  if (type !== "ssh-ed25519") throw invalid(`the OpenSSH key is ${type}, not ssh-ed25519`);
  const pub = secret.string();
  const priv = secret.string();
  if (pub.length !== 32 || priv.length !== 64) throw invalid("the OpenSSH ed25519 key has the wrong length");
  return createPrivateKey({
    key: {
      kty: "OKP",
      crv: "Ed25519",
      d: priv.subarray(0, 32).toString("base64url"),
      x: pub.toString("base64url")
    },
    format: "jwk"
  });
}
var SshReader = class {
  constructor(data, at) {
    this.data = data;
    this.at = at;
  }
  data;
  at;
  uint32() {
    if (this.at + 4 > this.data.length) throw invalid("the OpenSSH key is truncated");
    const value = this.data.readUInt32BE(this.at);
    this.at += 4;
    return value;
  }
  string() {
    const length = this.uint32();
    if (this.at + length > this.data.length) throw invalid("the OpenSSH key is truncated");
    const value = this.data.subarray(this.at, this.at + length);
    this.at += length;
    return value;
  }
};
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
