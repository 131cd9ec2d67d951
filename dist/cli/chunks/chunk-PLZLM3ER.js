#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  FORMAT,
  FORMATS_V2,
  FORMAT_V2,
  MANIFEST_FILE
} from "./chunk-RAQQYTCA.js";
import {
  crashPoint,
  schemaPart,
  schemaProblem,
  writeFileAtomic
} from "./chunk-OQ3BY7FT.js";
import {
  LicenseBackupError,
  compileGlob,
  message
} from "./chunk-BQKSSR5K.js";

// src/engine/format/manifest-io.ts
import { join } from "node:path";

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
    message`${file} is not a valid ${what}: ${problem}. Restore from another backup: this one is damaged, or was not written by license-backup.`,
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

// src/engine/format/manifest-io.ts
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
  const what = `${FORMAT} manifest`;
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw corruptBackup(file, what, "it is not JSON");
  }
  checkSchema(value, "v1", what, file);
  const manifest = value;
  if (manifest.pattern !== void 0 && !isPattern(manifest.pattern))
    throw corruptBackup(file, what, "pattern is not a store pattern");
  if (manifest.counts.licenses !== manifest.licenses.length)
    throw corruptBackup(file, what, "counts.licenses does not match the licenses listed");
  if (manifest.counts.restricted !== manifest.restricted.length)
    throw corruptBackup(file, what, "counts.restricted does not match the restricted listed");
  const bytes = manifest.licenses.reduce((sum, license) => sum + license.size, 0);
  if (manifest.counts.bytes !== bytes)
    throw corruptBackup(file, what, "counts.bytes does not match the sizes listed");
  return manifest;
}
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function isPattern(value) {
  try {
    compileGlob(value);
    return true;
  } catch {
    return false;
  }
}

// src/engine/format/manifest-v2.ts
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

// src/engine/format/pack-index.ts
import { createHash } from "node:crypto";
var INDEX_MEMBER = ".license-backup/index.json";
function summaryIndexHead(licenses) {
  return `{"licenses":{"count":${licenses.count},"sha256":${JSON.stringify(licenses.sha256)}},
"restricted":[`;
}
var INDEX_TAIL = "]}\n";
function indexEntryText(entry) {
  return `${JSON.stringify([entry.jti, entry.key_id, entry.path, entry.sha256, entry.size])}
`;
}
var LicensesDigest = class {
  hash = createHash("sha256");
  count = 0;
  add(entry) {
    this.hash.update(indexEntryText(entry));
    this.count++;
  }
  summary() {
    return { count: this.count, sha256: this.hash.digest("hex") };
  }
};
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
  /** Whether the entry being cut out is the licenses' summary rather than a list's entry. */
  summary = false;
  lists = /* @__PURE__ */ new Set();
  /** The text of the key or entry being cut out, and where its brace depth and strings stand. */
  pieces = [];
  pieceBytes = 0;
  depth = 0;
  inString = false;
  escaped = false;
  /** Entries of each list so far, for the place an error names. */
  licenses = 0;
  restricted = 0;
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
          this.state = this.summary ? "after" : "next";
          this.summary = false;
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
        if (this.list !== "licenses" || byte !== 123) return expect("[", "first");
        this.summary = true;
        this.state = "element";
        return true;
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
  /** An entry's text parsed and checked against the schema's entry of its list (ADR 0141). */
  entry(text) {
    let value;
    try {
      value = JSON.parse(text);
    } catch {
      throw this.corrupt("it is not JSON");
    }
    if (this.summary) {
      const problem2 = entryProblem("summary", value, "licenses");
      if (problem2) throw this.corrupt(problem2);
      return { list: "summary", entry: value };
    }
    const list = this.list;
    const at = list === "licenses" ? this.licenses++ : this.restricted++;
    const problem = entryProblem(list === "licenses" ? "license" : "restricted", value, `${list}[${at}]`);
    if (problem) throw this.corrupt(problem);
    return list === "licenses" ? { list, entry: value } : { list, entry: value };
  }
  corrupt(problem) {
    return corruptBackup(this.where, "pack index", problem);
  }
};

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

// src/engine/backup/origin.ts
import { hostname } from "node:os";
function defaultOrigin() {
  return { host: hostname() };
}
function describeOrigin(untrusted, created, now) {
  const origin = Object.fromEntries(Object.entries(untrusted).map(([key, value]) => [key, clean(value)]));
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

// src/engine/format/gzip.ts
import { once } from "node:events";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { promisify } from "node:util";
import { createGunzip, createGzip, gzip, gzipSync } from "node:zlib";
var GZIP_LEVEL = 5;
var OS_BYTE = 9;
var OS_UNIX = 3;
function compressingSink(inner) {
  let member;
  const endMember = async () => {
    const ending = member;
    member = void 0;
    await ending?.end();
  };
  return {
    write: (chunk) => (member ??= openMember(inner)).write(chunk),
    writeMembers: async (members) => {
      await endMember();
      for await (const bytes of members) await inner.write(bytes);
    },
    close: async () => {
      await endMember();
      return inner.close();
    },
    abort: async () => {
      await member?.abort();
      await inner.abort();
    }
  };
}
function openMember(inner) {
  const options = {
    level: GZIP_LEVEL,
    chunkSize: 256 * 1024,
    highWaterMark: 4 * 1024 * 1024
  };
  const gzip2 = createGzip(options);
  let position = 0;
  const pump = (async () => {
    for await (const chunk of gzip2) {
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
      if (gzip2.write(chunk)) return;
      await once(gzip2, "drain", { signal: pumpFailed.signal }).catch(() => {
      });
      if (failed !== void 0) throw failed;
    },
    end: async () => {
      gzip2.end();
      await pump;
    },
    abort: async () => {
      gzip2.destroy();
      await pump.catch(() => {
      });
    }
  };
}
async function gzipMember(data) {
  const member = await promisify(gzip)(data, { level: GZIP_LEVEL });
  member[OS_BYTE] = OS_UNIX;
  return member;
}
function gzipMemberSync(data) {
  const member = gzipSync(data, { level: GZIP_LEVEL });
  member[OS_BYTE] = OS_UNIX;
  return member;
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
          message`${file} decompresses to more than the ${maxBytes} bytes its manifest declares (a damaged pack or a compression bomb); reading stopped there.`,
          { file }
        );
      }
      yield chunk;
    }
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error;
    throw new LicenseBackupError(
      "BACKUP_CORRUPT",
      message`${file} is not a valid gzip stream (${error.message}).`,
      { file, cause: error }
    );
  } finally {
    gunzip.destroy();
    await feeding;
  }
}

// src/engine/format/any-manifest.ts
function parseAnyManifest(text, file) {
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    throw corruptBackup(file, "license-backup manifest", "it is not JSON");
  }
  if (isObject(value) && FORMATS_V2.includes(value["format"]))
    return { format: "v2", manifest: parseManifestV2(value, file) };
  return { format: "v1", manifest: parseManifest(text, file) };
}

export {
  writeManifest,
  serializeManifestV2,
  compressingSink,
  gzipMember,
  gzipMemberSync,
  gunzipBounded,
  INDEX_MEMBER,
  summaryIndexHead,
  INDEX_TAIL,
  indexEntryText,
  LicensesDigest,
  restrictedIndexLine,
  IndexParser,
  BLOCK,
  TAR_END,
  tarMemberSize,
  writeTarMember,
  checksum,
  tarHeader,
  tarPadding,
  defaultOrigin,
  describeOrigin,
  FingerprintSet,
  parseAnyManifest
};
