#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ED25519,
  LicenseBackupError,
  WireError,
  WireReader,
  ed25519Blob,
  message
} from "./chunk-BQKSSR5K.js";

// src/engine/format/ssh/signing-key.ts
import { createPrivateKey, createPublicKey } from "node:crypto";
var BEGIN = "-----BEGIN OPENSSH PRIVATE KEY-----";
var END = "-----END OPENSSH PRIVATE KEY-----";
var MAGIC = Buffer.from("openssh-key-v1\0", "latin1");
function parseSigningKey(text, source) {
  return readOpenSshEd25519(
    text,
    (problem) => new LicenseBackupError(
      "CONFIG_INVALID",
      message`The signing key in ${source} ${problem}. Give an unencrypted OpenSSH Ed25519 private key, as \`ssh-keygen -t ed25519 -N ''\` writes it.`
    )
  );
}
function readOpenSshEd25519(text, invalid) {
  const trimmed = text.replace(/\r/g, "").trim();
  const pem = /^-----BEGIN (RSA|DSA|EC) PRIVATE KEY-----/.exec(trimmed);
  if (pem) throw invalid(`is a PEM ${pem[1]} key, not Ed25519`);
  if (!trimmed.startsWith(BEGIN) || !trimmed.endsWith(END))
    throw invalid("is not an OpenSSH private key (it must start with " + BEGIN + ")");
  const body = trimmed.slice(BEGIN.length, -END.length).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw invalid("is not valid base64 between its armor lines");
  const bytes = Buffer.from(body, "base64");
  try {
    return readKey(bytes, invalid);
  } catch (error) {
    if (error instanceof WireError) throw invalid(`is malformed (${error.message})`);
    throw error;
  }
}
function readKey(bytes, invalid) {
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw invalid("is not in the openssh-key-v1 format");
  const reader = new WireReader(bytes.subarray(MAGIC.length));
  const cipher = reader.text();
  const kdf = reader.text();
  reader.string();
  if (cipher !== "none" || kdf !== "none")
    throw invalid("is protected by a passphrase; a job cannot type one: use a key without a passphrase");
  if (reader.uint32() !== 1) throw invalid("holds more than one key");
  const publicBlob = reader.string();
  const publicType = new WireReader(publicBlob).text();
  if (publicType !== ED25519) throw invalid(`is a ${publicType} key, not Ed25519`);
  const section = new WireReader(reader.string());
  if (!reader.done) throw invalid("has data after its key");
  if (section.uint32() !== section.uint32()) throw invalid("is damaged (its check numbers differ)");
  if (section.text() !== ED25519) throw invalid("is damaged (its private part is not Ed25519)");
  const publicKey = section.string();
  const secret = section.string();
  section.string();
  const padding = section.rest();
  if (publicKey.length !== 32 || secret.length !== 64 || !secret.subarray(32).equals(publicKey))
    throw invalid("is damaged (its Ed25519 key is not 32 + 32 bytes)");
  if (!padding.every((byte, i) => byte === i + 1) || padding.length >= 8)
    throw invalid("is damaged (its padding is wrong)");
  if (!ed25519Blob(publicKey).equals(publicBlob)) throw invalid("is damaged (its two public keys differ)");
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
    throw invalid("is damaged (its private key does not match its public key)");
  return { privateKey, publicBlob, publicKeyLine: `${ED25519} ${publicBlob.toString("base64")}` };
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

export {
  parseSigningKey,
  readOpenSshEd25519,
  DEFAULT_RETRY,
  isRetryableStatus,
  backoffDelay,
  parseRetryAfter
};
