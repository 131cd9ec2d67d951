#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ED25519,
  LicenseBackupError,
  WireError,
  WireReader,
  capitalized,
  ed25519KeyOf,
  option,
  schemaPart,
  schemaProblem,
  wireString,
  wireUint32
} from "./chunk-P2CEUB2B.js";

// src/engine/format/age.ts
var ageLibrary = () => import("./dist-KVBRPLFI.js");
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
    const message = error.message ?? "";
    if (/no identity matched/i.test(message)) {
      throw new LicenseBackupError(
        "CONFIG_INVALID",
        `${file} was not encrypted to the given age identity; use the identity whose recipient the backup was encrypted to.`,
        { file, cause: error }
      );
    }
    throw new LicenseBackupError("BACKUP_CORRUPT", `${file} is not a valid age file (${message}).`, {
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

// src/engine/format/manifest.ts
var FORMAT = "license-backup/v1";
var MANIFEST_FILE = "manifest.json";
var PACK_FILE = "licenses.tar";
var ENCRYPTED_PACK_FILE = "licenses.tar.age";

// schema/manifest.schema.json
var manifest_schema_default = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://github.com/license-backup/license-backup/schema/manifest.schema.json",
  title: "license-backup manifest",
  description: "manifest.json of a license-backup folder, format license-backup/v1, license-backup/v2 or license-backup/v2.1, and the index a v2 pack carries (docs/format.md). A reader also checks what a schema cannot say: v1's counts against its lists, and every digest and size against the files.",
  type: "object",
  required: ["format"],
  properties: {
    format: {
      enum: ["license-backup/v1", "license-backup/v2", "license-backup/v2.1"]
    }
  },
  allOf: [
    {
      if: {
        properties: {
          format: {
            const: "license-backup/v1"
          }
        }
      },
      then: {
        $ref: "#/$defs/v1"
      }
    },
    {
      if: {
        properties: {
          format: {
            enum: ["license-backup/v2", "license-backup/v2.1"]
          }
        }
      },
      then: {
        $ref: "#/$defs/v2"
      }
    }
  ],
  $defs: {
    v1: {
      description: "A license-backup/v1 manifest: the pack and every license in it.",
      type: "object",
      allOf: [
        {
          required: ["format"],
          properties: {
            format: {
              const: "license-backup/v1"
            }
          }
        },
        {
          required: [
            "format",
            "created",
            "tool",
            "source",
            "encryption",
            "pack",
            "licenses",
            "restricted",
            "counts"
          ],
          properties: {
            format: {
              const: "license-backup/v1"
            },
            created: {
              type: "string"
            },
            tool: {
              $ref: "#/$defs/tool"
            },
            source: {
              type: "object",
              required: ["store", "machine"],
              properties: {
                store: {
                  type: "string"
                },
                machine: {
                  type: ["string", "null"]
                }
              }
            },
            pattern: {
              type: "string"
            },
            encryption: {
              $ref: "#/$defs/encryption"
            },
            pack: {
              $ref: "#/$defs/pack"
            },
            licenses: {
              type: "array",
              items: {
                $ref: "#/$defs/license"
              }
            },
            restricted: {
              type: "array",
              items: {
                $ref: "#/$defs/restricted"
              }
            },
            counts: {
              type: "object",
              required: ["licenses", "restricted", "bytes"],
              properties: {
                licenses: {
                  $ref: "#/$defs/size"
                },
                restricted: {
                  $ref: "#/$defs/size"
                },
                bytes: {
                  $ref: "#/$defs/size"
                }
              }
            }
          }
        },
        {
          if: {
            properties: {
              encryption: {
                type: "null"
              }
            }
          },
          then: {
            properties: {
              pack: {
                properties: {
                  file: {
                    const: "licenses.tar"
                  }
                }
              }
            }
          },
          else: {
            properties: {
              pack: {
                properties: {
                  file: {
                    const: "licenses.tar.age"
                  }
                }
              }
            }
          }
        }
      ]
    },
    v2: {
      description: "A license-backup/v2 or v2.1 manifest: no per-license data (the pack's index holds it), optionally signed. v2.1 differs only in its pack's index.",
      type: "object",
      allOf: [
        {
          required: ["format"],
          properties: {
            format: {
              enum: ["license-backup/v2", "license-backup/v2.1"]
            }
          }
        },
        {
          required: [
            "format",
            "created",
            "tool",
            "origin",
            "pattern",
            "encryption",
            "compression",
            "pack",
            "counts"
          ],
          properties: {
            format: {
              enum: ["license-backup/v2", "license-backup/v2.1"]
            },
            created: {
              type: "string",
              format: "date-time",
              "x-message": "must be a time (RFC 3339)"
            },
            tool: {
              $ref: "#/$defs/tool"
            },
            origin: {
              description: "Where the backup was made: a CI run's coordinates, or the host's name.",
              type: "object",
              maxProperties: 32,
              additionalProperties: {
                type: "string",
                maxLength: 1024,
                "x-message": "must be a string of at most 1024 characters"
              },
              "x-message": "must be an object of at most 32 strings of at most 1024 characters"
            },
            pattern: {
              type: "string",
              minLength: 1
            },
            encryption: {
              $ref: "#/$defs/encryption"
            },
            compression: {
              enum: ["gzip", "none"]
            },
            pack: {
              allOf: [
                {
                  $ref: "#/$defs/pack"
                },
                {
                  required: ["tar_size"],
                  properties: {
                    tar_size: {
                      $ref: "#/$defs/size"
                    }
                  }
                }
              ]
            },
            counts: {
              type: "object",
              required: ["licenses", "restricted"],
              properties: {
                licenses: {
                  $ref: "#/$defs/size"
                },
                restricted: {
                  $ref: "#/$defs/size"
                }
              }
            }
          }
        },
        {
          if: {
            properties: {
              compression: {
                const: "gzip"
              },
              encryption: {
                type: "null"
              }
            }
          },
          then: {
            properties: {
              pack: {
                properties: {
                  file: {
                    const: "licenses.tar.gz"
                  }
                }
              }
            }
          }
        },
        {
          if: {
            properties: {
              compression: {
                const: "gzip"
              },
              encryption: {
                type: "object"
              }
            }
          },
          then: {
            properties: {
              pack: {
                properties: {
                  file: {
                    const: "licenses.tar.gz.age"
                  }
                }
              }
            }
          }
        },
        {
          if: {
            properties: {
              compression: {
                const: "none"
              },
              encryption: {
                type: "null"
              }
            }
          },
          then: {
            properties: {
              pack: {
                properties: {
                  file: {
                    const: "licenses.tar"
                  }
                }
              }
            }
          }
        },
        {
          if: {
            properties: {
              compression: {
                const: "none"
              },
              encryption: {
                type: "object"
              }
            }
          },
          then: {
            properties: {
              pack: {
                properties: {
                  file: {
                    const: "licenses.tar.age"
                  }
                }
              }
            }
          }
        }
      ]
    },
    index: {
      description: "The index a license-backup/v2 pack carries as its last member, .license-backup/index.json: licenses a list (v2) or a summary (v2.1).",
      type: "object",
      required: ["licenses", "restricted"],
      properties: {
        licenses: {
          oneOf: [
            {
              type: "array",
              items: {
                $ref: "#/$defs/license"
              }
            },
            {
              $ref: "#/$defs/summary"
            }
          ]
        },
        restricted: {
          type: "array",
          items: {
            $ref: "#/$defs/restricted"
          }
        }
      }
    },
    tool: {
      type: "object",
      required: ["name", "version"],
      properties: {
        name: {
          type: "string"
        },
        version: {
          type: "string"
        }
      }
    },
    encryption: {
      description: "null, or the age recipients the pack is encrypted to.",
      type: ["object", "null"],
      required: ["scheme", "recipients"],
      properties: {
        scheme: {
          const: "age"
        },
        recipients: {
          type: "array",
          items: {
            type: "string"
          }
        }
      }
    },
    pack: {
      type: "object",
      required: ["file", "sha256", "size"],
      properties: {
        file: {
          type: "string"
        },
        sha256: {
          $ref: "#/$defs/sha256"
        },
        size: {
          $ref: "#/$defs/size"
        }
      }
    },
    license: {
      type: "object",
      required: ["jti", "key_id", "path", "sha256", "size"],
      properties: {
        jti: {
          type: "string"
        },
        key_id: {
          type: "string"
        },
        path: {
          type: "string"
        },
        sha256: {
          $ref: "#/$defs/sha256"
        },
        size: {
          $ref: "#/$defs/size"
        }
      }
    },
    summary: {
      description: "A v2.1 index's licenses: how many, and the SHA-256 of the concatenation, in pack order, of each license's line [jti, key_id, path, sha256, size] as compact JSON followed by a newline (docs/format.md).",
      type: "object",
      required: ["count", "sha256"],
      additionalProperties: false,
      "x-message": "must be an object of exactly count and sha256",
      properties: {
        count: {
          $ref: "#/$defs/size"
        },
        sha256: {
          $ref: "#/$defs/sha256"
        }
      }
    },
    restricted: {
      type: "object",
      required: ["jti", "key_id"],
      properties: {
        jti: {
          type: "string"
        },
        key_id: {
          type: "string"
        },
        title: {
          type: "string"
        }
      }
    },
    sha256: {
      description: "A SHA-256 digest in lower-case hex.",
      type: "string",
      pattern: "^[0-9a-f]{64}$",
      "x-message": "must be a SHA-256 digest: 64 lower-case hex digits"
    },
    size: {
      description: "A count or a size in bytes: a whole number a JavaScript number holds exactly.",
      type: "integer",
      minimum: 0,
      maximum: 9007199254740991,
      "x-message": "must be a whole number, 0 or more"
    }
  }
};

// src/engine/format/manifest-schema.ts
function corruptBackup(file, what, problem) {
  return new LicenseBackupError(
    "BACKUP_CORRUPT",
    `${file} is not a valid ${what}: ${problem}. Restore from another backup: this one is damaged, or was not written by license-backup.`,
    { file }
  );
}
function checkSchema(value, part, what, file) {
  const problem = schemaProblem(schemaPart(manifest_schema_default, part), value);
  if (problem) throw corruptBackup(file, what, problem);
}
function entryProblem(part, value, place) {
  const problem = schemaProblem(schemaPart(manifest_schema_default, part), value);
  if (problem === void 0) return void 0;
  return problem.startsWith("it ") ? `${place}${problem.slice(2)}` : `${place}.${problem}`;
}

// src/engine/format/manifest-v2.ts
var FORMAT_V2 = "license-backup/v2";
var FORMAT_V2_1 = "license-backup/v2.1";
var FORMATS_V2 = [FORMAT_V2, FORMAT_V2_1];
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
function parseManifestV2(value, file) {
  checkSchema(value, "v2", `${FORMAT_V2} manifest`, file);
  return value;
}

// src/engine/format/ssh/sshsig.ts
import { createHash, createPublicKey, sign, verify } from "node:crypto";
var NAMESPACE = "license-backup";
var HASH = "sha512";
var MAGIC = Buffer.from("SSHSIG", "latin1");
var VERSION = 1;
var BEGIN = "-----BEGIN SSH SIGNATURE-----";
var END = "-----END SSH SIGNATURE-----";
var MAX_SIGNATURE_BYTES = 16 * 1024;
function signedData(namespace, hash, message) {
  const digest = createHash(hash).update(message).digest();
  return Buffer.concat([MAGIC, wireString(namespace), wireString(""), wireString(hash), wireString(digest)]);
}
function signMessage(message, key) {
  const raw = sign(null, signedData(NAMESPACE, HASH, message), key.privateKey);
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
function signatureProblem(signature, message) {
  if (signature.namespace !== NAMESPACE)
    return `it is made for the namespace ${JSON.stringify(signature.namespace)}, not ${NAMESPACE}`;
  if (signature.hash !== "sha512" && signature.hash !== "sha256")
    return `it uses the hash ${JSON.stringify(signature.hash)}, which SSHSIG does not define`;
  const key = createPublicKey({
    key: { kty: "OKP", crv: "Ed25519", x: ed25519KeyOf(signature.publicBlob).toString("base64url") },
    format: "jwk"
  });
  const data = signedData(signature.namespace, signature.hash, message);
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
  corruptBackup,
  checkSchema,
  entryProblem,
  FORMAT_V2,
  FORMAT_V2_1,
  FORMATS_V2,
  SIGNATURE_FILE,
  packFileV2,
  PACK_FILES_V2,
  serializeManifestV2,
  parseManifestV2,
  NAMESPACE,
  MAX_SIGNATURE_BYTES,
  signMessage,
  parseSignature,
  signatureProblem,
  fingerprint
};
