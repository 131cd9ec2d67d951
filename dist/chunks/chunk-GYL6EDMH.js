import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ED25519,
  LicenseBackupError,
  WireError,
  WireReader,
  capitalized,
  ed25519KeyOf,
  message,
  option,
  wireString,
  wireUint32
} from "./chunk-LIRZADVX.js";

// src/engine/format/age.ts
var ageLibrary = () => import("./dist-LCTMS3ST.js");
async function checkRecipients(recipients) {
  if (recipients.length === 0) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`${capitalized(option("encryptTo"))} is empty; give at least one age recipient (age1…) or remove it.`
    );
  }
  const { Encrypter } = await ageLibrary();
  const encrypter = new Encrypter();
  for (const recipient of recipients) {
    const bad = () => new LicenseBackupError(
      "CONFIG_INVALID",
      message`${capitalized(option("encryptTo"))} holds ${JSON.stringify(recipient.slice(0, 80))}, which is not an age X25519 recipient (age1…); use the public key that age-keygen printed.`
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
      message`The age identity for ${file} is not an X25519 identity (it must start with AGE-SECRET-KEY-1); check ${option("ageIdentity")}.`,
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
      message`The age identity for ${file} is malformed; check ${option("ageIdentity")}.`,
      {
        file
      }
    );
  }
  let plain;
  try {
    plain = await decrypter.decrypt(ReadableStream.from(source));
  } catch (error) {
    const reason = error.message ?? "";
    if (/no identity matched/i.test(reason)) {
      throw new LicenseBackupError(
        "CONFIG_INVALID",
        message`${file} was not encrypted to the given age identity; use the identity whose recipient the backup was encrypted to.`,
        { file, cause: error }
      );
    }
    throw new LicenseBackupError("BACKUP_CORRUPT", message`${file} is not a valid age file (${reason}).`, {
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
        message`${file} is damaged: its encrypted data does not authenticate (${error.message}).`,
        {
          file,
          cause: error
        }
      );
    }
  })();
}

// src/engine/format/manifest.ts
var FORMAT = "license-backup/v1";
var MANIFEST_FILE = "manifest.json";
var PACK_FILE = "licenses.tar";
var ENCRYPTED_PACK_FILE = "licenses.tar.age";

// src/engine/format/manifest-v2-names.ts
var FORMAT_V2 = "license-backup/v2";
var FORMAT_V2_1 = "license-backup/v2.1";
var FORMATS_V2 = [FORMAT_V2, FORMAT_V2_1];
var SIGNATURE_FILE = "manifest.json.sig";
var COMPRESSIONS = ["gzip", "none"];
function packFileV2(compression, encrypted) {
  return `licenses.tar${compression === "gzip" ? ".gz" : ""}${encrypted ? ".age" : ""}`;
}
var PACK_FILES_V2 = COMPRESSIONS.flatMap((c) => [packFileV2(c, false), packFileV2(c, true)]);

// src/engine/format/ssh/sshsig.ts
import { createHash, createPublicKey, sign, verify } from "node:crypto";
var NAMESPACE = "license-backup";
var HASH = "sha512";
var MAGIC = Buffer.from("SSHSIG", "latin1");
var VERSION = 1;
var BEGIN = "-----BEGIN SSH SIGNATURE-----";
var END = "-----END SSH SIGNATURE-----";
var MAX_SIGNATURE_BYTES = 16 * 1024;
function signedData(namespace, hash, message2) {
  const digest = createHash(hash).update(message2).digest();
  return Buffer.concat([MAGIC, wireString(namespace), wireString(""), wireString(hash), wireString(digest)]);
}
function signMessage(message2, key) {
  const raw = sign(null, signedData(NAMESPACE, HASH, message2), key.privateKey);
  const blob = Buffer.concat([
    MAGIC,
    wireUint32(VERSION),
    wireString(key.publicBlob),
    wireString(NAMESPACE),
    wireString(""),
    wireString(HASH),
    wireString(Buffer.concat([wireString(ED25519), wireString(raw)]))
  ]);
  const lines = blob.toString("base64").match(/.{1,70}/g) ?? [];
  return `${BEGIN}
${lines.join("\n")}
${END}
`;
}
function parseSignature(text) {
  const trimmed = text.replace(/\r/g, "").trim();
  if (!trimmed.startsWith(BEGIN) || !trimmed.endsWith(END))
    throw new WireError("it is not an armored SSH signature");
  const body = trimmed.slice(BEGIN.length, -END.length).replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) throw new WireError("it is not valid base64");
  const bytes = Buffer.from(body, "base64");
  if (!bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new WireError("it lacks the SSHSIG magic");
  const reader = new WireReader(bytes.subarray(MAGIC.length));
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
  const key = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: ed25519KeyOf(signature.publicBlob).toString("base64url") },
    format: "jwk"
  });
  const data = signedData(signature.namespace, signature.hash, message2);
  return verify(null, data, key, signature.signature) ? void 0 : "it does not match the manifest (the manifest was changed after signing, or the signature was)";
}
function fingerprint(publicBlob) {
  return `SHA256:${createHash("sha256").update(publicBlob).digest("base64").replace(/=+$/, "")}`;
}

export {
  checkRecipients,
  encryptingSink,
  decryptAge,
  FORMAT,
  MANIFEST_FILE,
  PACK_FILE,
  ENCRYPTED_PACK_FILE,
  FORMAT_V2,
  FORMAT_V2_1,
  FORMATS_V2,
  SIGNATURE_FILE,
  packFileV2,
  PACK_FILES_V2,
  NAMESPACE,
  MAX_SIGNATURE_BYTES,
  signMessage,
  parseSignature,
  signatureProblem,
  fingerprint
};
