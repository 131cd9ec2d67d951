#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  DEFAULT_RETRY,
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  readOpenSshEd25519
} from "./chunk-SOJSM5O6.js";
import {
  CompactSign,
  STATE_DIR,
  calculateJwkThumbprint,
  crashPoint,
  fileIO,
  fsyncDir,
  fsyncFile,
  isAtomicTemp,
  pathProblem,
  schemaPart,
  schemaProblem,
  writeAll,
  writeAllSync,
  writeFileAtomic
} from "./chunk-OQ3BY7FT.js";
import {
  LicenseBackupError,
  asEngineError,
  cancelled,
  capitalized,
  emitter,
  message,
  option,
  turnOn
} from "./chunk-BQKSSR5K.js";
import {
  restrictToOwner
} from "./chunk-4BIDEYEZ.js";

// src/engine/store/lock.ts
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
var LOCK_FILE = "lock";
var BACKUP_LOCK_SUFFIX = ".lb-lock";
var STALE_AFTER_MS = 30 * 6e4;
var UNREADABLE_GRACE_MS = 1e4;
var REFRESH_EVERY_MS = 5 * 6e4;
async function acquireStoreLock(store, operation, options = {}) {
  const dir = join(store, STATE_DIR);
  const createdDir = await ensureDir(dir);
  try {
    const lock = await acquireLock(
      { subject: `The store ${store}`, file: join(dir, LOCK_FILE) },
      operation,
      options
    );
    if (!createdDir) return lock;
    return {
      ...lock,
      // Leave the store as it was: remove the state folder this run created, if nothing else is in it.
      release: async () => {
        await lock.release();
        await fileIO().rmdir(dir).catch(() => {
        });
      }
    };
  } catch (error) {
    if (createdDir)
      await fileIO().rmdir(dir).catch(() => {
      });
    throw error;
  }
}
async function acquireBackupPathLock(path, options = {}) {
  try {
    await fileIO().mkdir(dirname(path), { recursive: true });
  } catch (error) {
    throw ioError(path + BACKUP_LOCK_SUFFIX, error);
  }
  return acquireLock(
    { subject: `The backup path ${path}`, file: path + BACKUP_LOCK_SUFFIX },
    "backup",
    options
  );
}
async function acquireLock(guarded, operation, options) {
  const info = {
    pid: process.pid,
    host: hostname(),
    started: (/* @__PURE__ */ new Date()).toISOString(),
    operation,
    token: randomUUID()
  };
  const { file } = guarded;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (await tryCreate(file, info)) return held(file, info, options);
    const holder = await readHolder(file);
    if (holder === "gone") continue;
    const age = await ageOf(file);
    if (age === void 0) continue;
    if (holder === "unreadable") {
      const grace = options.unreadableGraceMs ?? UNREADABLE_GRACE_MS;
      if (age > grace) {
        await takeOver(file, void 0, options);
        continue;
      }
      throw unreadable(guarded, grace);
    }
    if (isStale(holder, age, options)) {
      await takeOver(file, holder, options);
      continue;
    }
    throw busy(guarded, holder, age);
  }
  throw busy(guarded, void 0, void 0);
}
function held(file, info, options) {
  let released = false;
  const refresh = async () => {
    if (!await stillOurs(file, info)) return;
    const now = /* @__PURE__ */ new Date();
    await fileIO().utimes(file, now, now).catch(() => {
    });
  };
  const timer = setInterval(() => void refresh(), options.refreshEveryMs ?? REFRESH_EVERY_MS);
  timer.unref();
  return {
    file,
    info,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      if (await stillOurs(file, info))
        await fileIO().unlink(file).catch(() => {
        });
    }
  };
}
async function stillOurs(file, info) {
  const current = await readHolder(file).catch(() => "gone");
  return typeof current === "object" && current.token === info.token;
}
async function ensureDir(dir) {
  try {
    await fileIO().mkdir(dir);
    return true;
  } catch (error) {
    if (error.code === "EEXIST") return false;
    throw ioError(dir, error);
  }
}
async function tryCreate(file, info) {
  const io = fileIO();
  const temp = `${file}${TEMP_MARK}${process.pid}-${info.token ?? randomUUID()}`;
  try {
    const handle = await io.open(temp, "wx", 420);
    try {
      await writeAll(handle, Buffer.from(JSON.stringify(info) + "\n"));
    } finally {
      await handle.close();
    }
    crashPoint("lock:written");
    await io.link(temp, file);
  } catch (error) {
    const code = error.code;
    if (code === "EEXIST") return false;
    if (code === "ENOENT") {
      await io.mkdir(dirname(file), { recursive: true }).catch(() => {
      });
      return false;
    }
    throw ioError(file, error);
  } finally {
    await io.unlink(temp).catch(() => {
    });
  }
  crashPoint("lock:acquired");
  await removeStaleTemps(file);
  return true;
}
var TEMP_MARK = ".new-";
async function removeStaleTemps(file) {
  const io = fileIO();
  const prefix = basename(file) + TEMP_MARK;
  const names = await io.readdir(dirname(file)).catch(() => []);
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const pid = Number(name.slice(prefix.length).split("-")[0]);
    if (pid === process.pid || processAlive(pid)) continue;
    await io.unlink(join(dirname(file), name)).catch(() => {
    });
  }
}
async function readHolder(file) {
  let text;
  try {
    text = await fileIO().readFile(file, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") return "gone";
    throw ioError(file, error);
  }
  try {
    const value = JSON.parse(text);
    if (typeof value.pid === "number" && typeof value.host === "string") return value;
  } catch {
  }
  return "unreadable";
}
function isStale(holder, age, options) {
  if (age > (options.staleAfterMs ?? STALE_AFTER_MS)) return true;
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return false;
  return !(options.isAlive ?? processAlive)(holder.pid);
}
function processAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === "EPERM";
  }
}
var TAKEOVER_MARK = ".takeover";
var TAKEOVER_GRACE_MS = 1e4;
async function takeOver(file, stale, options) {
  const io = fileIO();
  const mark = file + TAKEOVER_MARK;
  const info = { pid: process.pid, host: hostname(), started: (/* @__PURE__ */ new Date()).toISOString() };
  if (!await tryCreate(mark, info)) {
    await removeAbandonedMark(mark, options);
    await new Promise((resolve) => setTimeout(resolve, 20));
    return;
  }
  try {
    const current = await readHolder(file);
    const same = stale === void 0 ? current === "unreadable" : typeof current === "object" && current.pid === stale.pid && current.started === stale.started;
    if (same) await io.unlink(file).catch(() => {
    });
  } finally {
    await io.unlink(mark).catch(() => {
    });
  }
}
async function removeAbandonedMark(mark, options) {
  const holder = await readHolder(mark);
  const age = await ageOf(mark);
  if (holder === "gone" || age === void 0) return;
  const abandoned = age > TAKEOVER_GRACE_MS || typeof holder === "object" && isStale(holder, age, { ...options, staleAfterMs: TAKEOVER_GRACE_MS });
  if (abandoned)
    await fileIO().unlink(mark).catch(() => {
    });
}
async function ageOf(file) {
  try {
    return Date.now() - (await fileIO().stat(file)).mtimeMs;
  } catch {
    return void 0;
  }
}
function unreadable(guarded, graceMs) {
  return new LicenseBackupError(
    "BUSY",
    message`${guarded.subject} has a lock file it cannot read (${guarded.file}: empty, cut short, or not a lock this tool wrote). A run takes such a lock over once it is ${Math.round(graceMs / 1e3)} s old: run again in a moment. If no run is using it, delete ${guarded.file}.`,
    { file: guarded.file }
  );
}
function busy(guarded, holder, age) {
  const who = holder ? `a ${holder.operation ?? "run"} (pid ${holder.pid} on ${holder.host}, started ${holder.started})` : "another run";
  const refreshed = age === void 0 ? "" : `, its lock last refreshed ${Math.round(age / 1e3)} s ago`;
  const minutes = STALE_AFTER_MS / 6e4;
  return new LicenseBackupError(
    "BUSY",
    message`${guarded.subject} is in use by ${who}${refreshed}. Wait for it to finish and run again; a run refreshes its lock while it works, and a lock not refreshed for ${minutes} minutes is taken over. If you are sure no run is using it, delete ${guarded.file}.`,
    { file: guarded.file }
  );
}
function ioError(file, error) {
  return asEngineError(
    error,
    (code) => new LicenseBackupError(
      "IO_ERROR",
      message`The lock ${file} cannot be written (${code}); check the folder's permissions.`,
      { file, cause: error }
    )
  );
}

// src/engine/machine-key/stored-key.ts
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes
} from "node:crypto";
import { join as join2 } from "node:path";
var MACHINE_KEY_FILE = "machine.json";
function machineKeyFile(storeDir) {
  return join2(storeDir, STATE_DIR, MACHINE_KEY_FILE);
}
async function machineIdOf(publicJwk) {
  return calculateJwkThumbprint({ kty: "OKP", crv: "Ed25519", x: publicJwk.x }, "sha256");
}
async function loadStoredMachineKey(storeDir) {
  const file = machineKeyFile(storeDir);
  let text;
  try {
    text = await fileIO().readFile(file, "utf8");
  } catch (error) {
    if (error.code === "ENOENT") return void 0;
    throw new LicenseBackupError(
      "IO_ERROR",
      message`Cannot read the machine key ${file}: ${error.message}`,
      {
        file,
        cause: error
      }
    );
  }
  return parseStoredKey(text, file);
}
async function createStoredMachineKey(storeDir) {
  const io = fileIO();
  const file = machineKeyFile(storeDir);
  const { privateKey } = generateKeyPairSync("ed25519");
  const jwk = privateKey.export({ format: "jwk" });
  const text = JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, null, 2) + "\n";
  const temp = `${file}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`;
  try {
    await io.mkdir(join2(storeDir, STATE_DIR), { recursive: true, mode: 448 });
    const handle = await io.open(temp, "wx", 384);
    try {
      await restrictToOwner(temp);
      await writeAll(handle, Buffer.from(text));
      await handle.sync();
    } finally {
      await handle.close();
    }
    crashPoint("machine-key:temp-written");
    try {
      await io.link(temp, file);
    } catch (error) {
      if (error.code !== "EEXIST") throw error;
    }
    crashPoint("machine-key:linked");
    await fsyncDir(join2(storeDir, STATE_DIR));
  } catch (error) {
    throw ioError2(file, error);
  } finally {
    await io.unlink(temp).catch(() => void 0);
  }
  const key = await loadStoredMachineKey(storeDir);
  if (!key)
    throw ioError2(
      file,
      Object.assign(new Error("the file vanished after it was written"), { code: "ENOENT" })
    );
  return key;
}
async function ensureStoredMachineKey(storeDir, individualize) {
  await removeStaleTemps2(storeDir);
  const existing = await loadStoredMachineKey(storeDir);
  if (existing) return existing;
  if (individualize !== true) {
    throw new LicenseBackupError(
      "INDIVIDUALIZATION_REQUIRED",
      message`The store ${storeDir} has no machine key, and restored licenses must be bound to one. ${capitalized(turnOn("individualize"))} to let it create one (${machineKeyFile(storeDir)}).`,
      { file: machineKeyFile(storeDir) }
    );
  }
  return createStoredMachineKey(storeDir);
}
async function removeStaleTemps2(storeDir) {
  const io = fileIO();
  const dir = join2(storeDir, STATE_DIR);
  let names;
  try {
    names = await io.readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = /^machine\.json\.tmp-(\d+)-/.exec(name)?.[1];
    if (pid === void 0 || Number(pid) === process.pid || processAlive(Number(pid))) continue;
    await io.unlink(join2(dir, name)).catch(() => void 0);
  }
}
async function parseStoredKey(text, file) {
  let jwk;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw invalid(file, "it is not JSON");
  }
  if (jwk === null || typeof jwk !== "object" || jwk.kty !== "OKP" || jwk.crv !== "Ed25519") {
    throw invalid(file, "it is not an Ed25519 (OKP) JWK");
  }
  if (typeof jwk.x !== "string" || typeof jwk.d !== "string") throw invalid(file, "it lacks the key (x, d)");
  let privateKey;
  try {
    privateKey = createPrivateKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x, d: jwk.d }, format: "jwk" });
  } catch {
    throw invalid(file, "its key does not load");
  }
  const derived = createPublicKey(privateKey).export({ format: "jwk" });
  if (derived.x !== jwk.x) throw invalid(file, "its public key (x) does not match its private key (d)");
  const publicJwk = { kty: "OKP", crv: "Ed25519", x: derived.x };
  return { id: await machineIdOf(publicJwk), publicJwk, privateKey, file };
}
function invalid(file, why) {
  return new LicenseBackupError(
    "STORE_INVALID",
    message`The machine key ${file} is damaged: ${why}. Restore it from where it was kept; removing it makes this a new machine, which uses one more of each license's restore slots.`,
    { file }
  );
}
function ioError2(file, error) {
  return asEngineError(
    error,
    (code) => new LicenseBackupError(
      "IO_ERROR",
      message`Cannot write the machine key ${file} (${code}); check the store's disk space and permissions and run again. Nothing was restored.`,
      { file, cause: error }
    )
  );
}
async function readMachineId(storeDir) {
  const key = await loadStoredMachineKey(storeDir).catch(() => void 0);
  return key?.id ?? null;
}

// src/engine/machine-key/given-key.ts
import { createPrivateKey as createPrivateKey2, createPublicKey as createPublicKey2 } from "node:crypto";
async function parseMachineKey(text) {
  const trimmed = text.trim();
  const privateKey = trimmed.startsWith("{") ? fromJwk(trimmed) : fromOpenSsh(trimmed);
  const x = createPublicKey2(privateKey).export({ format: "jwk" }).x;
  const publicJwk = { kty: "OKP", crv: "Ed25519", x };
  return { id: await machineIdOf(publicJwk), publicJwk, privateKey };
}
function fromJwk(text) {
  let jwk;
  try {
    jwk = JSON.parse(text);
  } catch {
    throw invalid2("it starts like a JWK but is not JSON");
  }
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519") throw invalid2("the JWK is not an Ed25519 (OKP) key");
  if (typeof jwk.d !== "string") throw invalid2("the JWK has no private part (d)");
  try {
    const key = createPrivateKey2({
      key: { kty: "OKP", crv: "Ed25519", d: jwk.d, x: jwk.x ?? "" },
      format: "jwk"
    });
    if (jwk.x !== void 0 && createPublicKey2(key).export({ format: "jwk" }).x !== jwk.x) {
      throw invalid2("its public part (x) does not match its private part (d)");
    }
    return key;
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error;
    throw invalid2("the JWK does not load as an Ed25519 private key");
  }
}
function fromOpenSsh(text) {
  if (!text.startsWith("-----BEGIN ")) {
    throw invalid2('it is neither an Ed25519 private JWK ({"kty": "OKP", \u2026}) nor an OpenSSH private key');
  }
  return readOpenSshEd25519(text, (problem2) => invalid2(`the OpenSSH key ${problem2}`)).privateKey;
}
function invalid2(why) {
  return new LicenseBackupError(
    "CONFIG_INVALID",
    message`The machine key in ${option("machineKey")} cannot be used: ${why}. Give an Ed25519 private key as a JWK or as an OpenSSH private key (ssh-keygen -t ed25519).`
  );
}

// src/engine/machine-key/run-key.ts
async function machineKeyFor(store, machineKey) {
  const own = await loadStoredMachineKey(store);
  if (machineKey === void 0) return own;
  const given = await parseMachineKey(machineKey);
  if (own && own.id !== given.id) {
    throw new LicenseBackupError(
      "STORE_INVALID",
      message`The store ${store} belongs to machine ${own.id} (${machineKeyFile(store)}), but the machine key in ${option("machineKey")} is machine ${given.id}. Use that machine's key, or a store of this machine.`,
      { file: machineKeyFile(store) }
    );
  }
  return given;
}

// src/engine/service/client.ts
import { randomUUID as randomUUID2 } from "node:crypto";

// src/engine/service/proof.ts
import { randomBytes as randomBytes2 } from "node:crypto";
async function sessionProof(machine, audience, now) {
  const payload = { aud: audience, iat: Math.floor(now / 1e3), nonce: randomBytes2(24).toString("base64url") };
  const jwk = { kty: "OKP", crv: "Ed25519", x: String(machine.publicJwk.x) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: "EdDSA", typ: "session-proof+jwt", jwk }).sign(machine.privateKey);
}

// schema/protocol.schema.json
var protocol_schema_default = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://github.com/license-backup/license-backup/schema/protocol.schema.json",
  title: "license service protocol",
  description: "The schemas of docs/openapi.yaml (version 1.2), generated by npm run docs; do not edit by hand.",
  $defs: {
    Problem: {
      description: "RFC 9457 problem details.",
      type: "object",
      required: ["type", "title", "status", "detail"],
      properties: {
        type: {
          type: "string",
          format: "uri-reference"
        },
        title: {
          type: "string"
        },
        status: {
          type: "integer"
        },
        detail: {
          type: "string"
        }
      }
    },
    PublicJwk: {
      description: "An Ed25519 public key as a JWK (no private member `d`).",
      type: "object",
      required: ["kty", "crv", "x"],
      properties: {
        kty: {
          const: "OKP"
        },
        crv: {
          const: "Ed25519"
        },
        x: {
          type: "string",
          pattern: "^[A-Za-z0-9_-]{43}$"
        }
      }
    },
    SessionRequest: {
      type: "object",
      required: ["machine", "individualize"],
      properties: {
        machine: {
          type: "object",
          required: ["id", "jwk"],
          properties: {
            id: {
              description: "The RFC 7638 SHA-256 thumbprint of `jwk`, base64url.",
              type: "string"
            },
            jwk: {
              $ref: "#/$defs/PublicJwk"
            }
          }
        },
        individualize: {
          description: "Whether the user consented to creating this machine's key.",
          type: "boolean"
        },
        proof: {
          description: 'Proof of possession of the machine key (v1.1; required): a compact JWS signed with the machine\'s\nprivate key, protected header `{"alg": "EdDSA", "jwk": <machine.jwk>}`, payload\n`{"aud": <the service\'s URL>, "iat": <seconds since the epoch, within 300 s of the service\'s\nclock>, "nonce": <16 to 128 printable characters, new for every request>}`.\n',
          type: "string",
          pattern: "^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$"
        }
      }
    },
    Session: {
      type: "object",
      required: ["id", "expires_at"],
      properties: {
        id: {
          type: "string",
          pattern: "^[A-Za-z0-9_-]+$",
          maxLength: 200
        },
        expires_at: {
          type: "string",
          format: "date-time"
        }
      }
    },
    RestoreRequest: {
      type: "object",
      required: ["licenses"],
      properties: {
        licenses: {
          type: "array",
          maxItems: 1e3,
          items: {
            description: "A license, as a compact JWS.",
            type: "string"
          }
        },
        lease_seconds: {
          $ref: "#/$defs/LeaseSeconds"
        }
      }
    },
    LeaseSeconds: {
      description: "(v1.2) The lease asked for, in seconds; the service grants the shorter of it and the license\npolicy's longest lease. Part of the batch: the same Idempotency-Key with another value is 422.\n",
      type: "integer",
      minimum: 60
    },
    LeaseExpires: {
      description: "(v1.2) When the re-issued copy's lease ends (its `exp`).",
      type: "string",
      format: "date-time"
    },
    RenewRequest: {
      type: "object",
      required: ["licenses"],
      properties: {
        licenses: {
          type: "array",
          maxItems: 1e3,
          items: {
            description: "A copy this machine holds (re-issued for it), as a compact JWS.",
            type: "string"
          }
        },
        lease_seconds: {
          $ref: "#/$defs/LeaseSeconds"
        }
      }
    },
    RenewResponse: {
      type: "object",
      required: ["results"],
      properties: {
        results: {
          type: "array",
          items: {
            type: "object",
            required: ["jti", "status"],
            properties: {
              jti: {
                type: "string"
              },
              status: {
                enum: ["renewed", "refused"]
              },
              license: {
                description: "With `renewed`; the copy re-issued with its new lease (compact JWS).",
                type: "string"
              },
              lease_expires: {
                $ref: "#/$defs/LeaseExpires"
              },
              reason: {
                $ref: "#/$defs/RefusalReason"
              },
              url: {
                description: "A page to show the user about a refusal.",
                type: "string",
                format: "uri"
              }
            },
            allOf: [
              {
                if: {
                  properties: {
                    status: {
                      const: "renewed"
                    }
                  }
                },
                then: {
                  required: ["license", "lease_expires"]
                }
              },
              {
                if: {
                  properties: {
                    status: {
                      const: "refused"
                    }
                  }
                },
                then: {
                  required: ["reason"]
                }
              }
            ]
          }
        }
      }
    },
    RestoreResponse: {
      type: "object",
      required: ["results"],
      properties: {
        results: {
          type: "array",
          items: {
            $ref: "#/$defs/RestoreResult"
          }
        }
      }
    },
    PreviewResponse: {
      type: "object",
      required: ["results"],
      properties: {
        results: {
          type: "array",
          items: {
            type: "object",
            required: ["jti", "status"],
            properties: {
              jti: {
                type: "string"
              },
              status: {
                description: "`would-restore`: a restore would re-issue it and use one of its slots. `held`: the machine\nholds it already (a restore uses no slot). `refused`: a restore would refuse it (`reason`,\n`url` as in a restore's result).\n",
                enum: ["would-restore", "held", "refused"]
              },
              reason: {
                $ref: "#/$defs/RefusalReason"
              },
              url: {
                type: "string",
                format: "uri"
              }
            },
            allOf: [
              {
                if: {
                  properties: {
                    status: {
                      const: "refused"
                    }
                  }
                },
                then: {
                  required: ["reason"]
                }
              }
            ]
          }
        }
      }
    },
    ReleaseRequest: {
      type: "object",
      required: ["jtis"],
      properties: {
        jtis: {
          type: "array",
          maxItems: 1e3,
          items: {
            type: "string",
            minLength: 1,
            maxLength: 256
          }
        }
      }
    },
    ReleaseResponse: {
      type: "object",
      required: ["results"],
      properties: {
        results: {
          type: "array",
          items: {
            type: "object",
            required: ["jti", "status"],
            properties: {
              jti: {
                type: "string"
              },
              status: {
                enum: ["released", "not-held"]
              },
              slot_free_at: {
                description: "(v1.2) With `released`: when the slot comes back (the copy's lease end plus the clock skew\ntolerated; now, under `release: immediate`). Absent for a holding without a lease.\n",
                type: "string",
                format: "date-time"
              }
            }
          }
        }
      }
    },
    RefusalReason: {
      description: "`restore-limit`: already on as many machines as its limit (4 by default). `revoked`: revoked by the\nissuer. `expired`: past its own end (a lease copy's `lease.license_exp`, else its `exp`).\n`invalid-signature`: not signed by the issuer's keys. `invalid-license`: signed but lacking `jti`,\n`key_id` or `rights`, or (renew) not bound to the session's machine. `not-yours`: its licensee\n(`sub`) is not one of the token's tenant. `released` (renew, v1.2): this machine gave the license\nback; restore it to take a slot again.\n",
      enum: [
        "restore-limit",
        "revoked",
        "expired",
        "invalid-signature",
        "invalid-license",
        "not-yours",
        "released"
      ]
    },
    RestoreResult: {
      type: "object",
      required: ["jti", "status"],
      properties: {
        jti: {
          type: "string"
        },
        status: {
          enum: ["restored", "refused"]
        },
        license: {
          description: "With `restored`; the license re-issued for the session's machine (compact JWS).",
          type: "string"
        },
        lease_expires: {
          $ref: "#/$defs/LeaseExpires"
        },
        reason: {
          $ref: "#/$defs/RefusalReason"
        },
        url: {
          description: "A page to show the user about a refusal.",
          type: "string",
          format: "uri"
        }
      },
      allOf: [
        {
          if: {
            properties: {
              status: {
                const: "restored"
              }
            }
          },
          then: {
            required: ["license"]
          }
        },
        {
          if: {
            properties: {
              status: {
                const: "refused"
              }
            }
          },
          then: {
            required: ["reason"]
          }
        }
      ]
    },
    Jwks: {
      type: "object",
      required: ["keys"],
      properties: {
        keys: {
          type: "array",
          items: {
            type: "object",
            required: ["kty"],
            properties: {
              kty: {
                type: "string"
              },
              kid: {
                type: "string"
              },
              alg: {
                type: "string"
              }
            }
          }
        }
      }
    },
    Status: {
      type: "object",
      required: ["status"],
      properties: {
        status: {
          enum: ["ok", "ready", "not-ready"]
        }
      }
    },
    TenantRequest: {
      type: "object",
      required: ["name"],
      properties: {
        name: {
          type: "string",
          pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
        },
        licensees: {
          type: "array",
          items: {
            type: "string",
            minLength: 1,
            maxLength: 256
          }
        },
        any_licensee: {
          description: "The tenant also owns every licensee no other tenant names (a one-customer service).",
          type: "boolean"
        }
      }
    },
    Tenant: {
      type: "object",
      required: ["id", "name", "any_licensee"],
      properties: {
        id: {
          type: "string"
        },
        name: {
          type: "string"
        },
        any_licensee: {
          type: "boolean"
        }
      }
    },
    TokenRequest: {
      type: "object",
      required: ["role"],
      properties: {
        role: {
          enum: ["restore", "read", "admin"]
        },
        tenant: {
          description: "Default: the caller's tenant.",
          type: "string"
        },
        label: {
          type: "string",
          maxLength: 200
        }
      }
    },
    IssuedToken: {
      type: "object",
      required: ["id", "token", "role", "tenant"],
      properties: {
        id: {
          type: "string"
        },
        token: {
          type: "string"
        },
        role: {
          enum: ["restore", "read", "admin"]
        },
        tenant: {
          type: "string"
        }
      }
    },
    Machines: {
      type: "object",
      required: ["jti", "machines"],
      properties: {
        jti: {
          type: "string"
        },
        machines: {
          type: "array",
          items: {
            type: "object",
            required: ["id", "original", "acquired_at"],
            properties: {
              id: {
                description: "The machine ID (JWK thumbprint).",
                type: "string"
              },
              original: {
                description: "The machine the license was bound to before any restore.",
                type: "boolean"
              },
              acquired_at: {
                type: "string",
                format: "date-time"
              },
              lease_until: {
                description: "(v1.2) When the lease of its latest copy ends; the slot is counted until then plus the\nclock skew. Absent: no lease (the original machine, or a copy issued before leases).\n",
                type: "string",
                format: "date-time"
              },
              released_at: {
                description: "(v1.2) When the machine released it; it is not renewed after.",
                type: "string",
                format: "date-time"
              }
            }
          }
        }
      }
    },
    Policy: {
      description: "(v1.2) The operator's overrides of the service's policy for a tenant or a license; a license's\noverride wins over its tenant's, which wins over the service's (`--lease`, `--restore-limit`).\n",
      type: "object",
      properties: {
        tenant: {
          type: "string"
        },
        license: {
          type: "string"
        },
        lease_seconds: {
          description: "The longest lease of a re-issued copy.",
          type: "integer",
          minimum: 60
        },
        release: {
          description: "`at-lease-end` (the default): a released slot comes back when the released copy's lease ends.\n`immediate`: it comes back at once; the released copy still verifies until its `exp`, so a\nmachine that keeps it holds the license beyond the limit until then.\n",
          enum: ["at-lease-end", "immediate"]
        },
        restore_limit: {
          type: "integer",
          minimum: 1,
          maximum: 1e3
        }
      }
    },
    PolicyChange: {
      type: "object",
      additionalProperties: false,
      properties: {
        lease_seconds: {
          type: ["integer", "null"],
          minimum: 60
        },
        release: {
          enum: ["at-lease-end", "immediate", null]
        },
        restore_limit: {
          type: ["integer", "null"],
          minimum: 1,
          maximum: 1e3
        }
      }
    },
    Keys: {
      type: "object",
      required: ["current", "keys"],
      properties: {
        current: {
          description: "The kid of the key that signs.",
          type: "string"
        },
        keys: {
          type: "array",
          items: {
            type: "object",
            required: ["kid", "state", "created_at", "public_jwk"],
            properties: {
              kid: {
                type: "string"
              },
              state: {
                description: "`current` signs; `previous` no longer signs but is published and trusted until `expires_at`; `expired` is neither.",
                type: "string",
                enum: ["current", "previous", "expired"]
              },
              created_at: {
                type: "string",
                format: "date-time"
              },
              retired_at: {
                type: "string",
                format: "date-time"
              },
              expires_at: {
                type: "string",
                format: "date-time"
              },
              public_jwk: {
                type: "object",
                required: ["kty", "crv", "x", "kid"],
                properties: {
                  kty: {
                    const: "OKP"
                  },
                  crv: {
                    const: "Ed25519"
                  },
                  x: {
                    type: "string"
                  },
                  kid: {
                    type: "string"
                  },
                  alg: {
                    type: "string"
                  },
                  use: {
                    type: "string"
                  }
                },
                not: {
                  required: ["d"]
                }
              }
            }
          }
        }
      }
    },
    Licensees: {
      type: "object",
      required: ["tenant", "any_licensee", "licensees"],
      properties: {
        tenant: {
          type: "string"
        },
        any_licensee: {
          description: "The tenant also owns every licensee no other tenant names.",
          type: "boolean"
        },
        licensees: {
          type: "array",
          items: {
            type: "string"
          }
        }
      }
    },
    AuditTrail: {
      type: "object",
      required: ["entries"],
      properties: {
        entries: {
          type: "array",
          items: {
            type: "object",
            required: ["at", "action"],
            properties: {
              at: {
                type: "string",
                format: "date-time"
              },
              action: {
                enum: [
                  "session-open",
                  "session-close",
                  "restore",
                  "renew",
                  "refuse",
                  "release",
                  "machine-release",
                  "revoke",
                  "tenant-add",
                  "licensee-add",
                  "token-issue",
                  "policy-set"
                ]
              },
              tenant: {
                type: "string"
              },
              token: {
                description: "The token's ID (never the token).",
                type: "string"
              },
              jti: {
                type: "string"
              },
              machine: {
                type: "string"
              },
              detail: {
                type: "string"
              }
            }
          }
        }
      }
    }
  }
};

// src/engine/service/answers.ts
function answerProblem(body, name) {
  return schemaProblem(schemaPart(protocol_schema_default, name), body);
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
        message`The license service at ${call.url} answered ${last} and asked to retry in ${Math.ceil(asked / 1e3)} s, past this run's deadline; run the restore again after ${at}.`,
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
  const headers = {
    authorization: `Bearer ${options.token}`,
    accept: "application/json, application/problem+json",
    ...call.headers
  };
  if (call.body !== void 0) headers["content-type"] = "application/json";
  try {
    const body = typeof call.body === "function" ? await call.body() : call.body;
    const res = await fetch(call.url, {
      method: call.method,
      headers,
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
    message`The license service at ${call.url} did not answer in time: ${what}. Check that the service is up and reachable, then run the restore again.`,
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
  /** `{ lease_seconds }` for a re-issuing request's body, or nothing. */
  lease;
  deadlineMs;
  constructor(options) {
    this.url = baseUrl(options.url);
    this.tokenEnv = options.tokenEnv;
    this.lease = options.leaseSeconds === void 0 ? {} : { lease_seconds: options.leaseSeconds };
    const token = checkedToken(options.token, this.url, options.tokenEnv);
    const now = options.now ?? Date.now;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.transport = {
      token,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      deadline: now() + this.deadlineMs,
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
    const answer = await this.sent(call);
    if (answer.status !== 201 && answer.status !== 200) throw this.failure(answer, "open a session");
    const body = this.json(answer);
    const wrong = answerProblem(body, "Session");
    if (wrong) throw this.badAnswer(answer, wrong);
    const session = body;
    return { id: session.id, expiresAt: session.expires_at, machineId: machine.id };
  }
  /**
   * POST /v1/sessions/{id}/restore for one batch (≤ 1000 licenses), with one Idempotency-Key for all its
   * retries. Every result is checked; outcomes come back in the batch's order. `signal` aborts this call
   * only (the restore drops a batch in flight when an earlier one fails), with `CANCELLED`.
   */
  async restoreBatch(session, licenses, checkLicense, idempotencyKey = randomUUID2(), signal) {
    if (licenses.length > MAX_BATCH) throw new RangeError(`A batch holds at most ${MAX_BATCH} licenses`);
    const asked = /* @__PURE__ */ new Map();
    for (const license of licenses) {
      if (asked.has(license.jti)) throw new RangeError(`License ${license.jti} appears twice in one batch`);
      asked.set(license.jti, license);
    }
    const call = {
      method: "POST",
      url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}/restore`,
      body: { licenses: licenses.map((l) => l.jws), ...this.lease },
      headers: { "idempotency-key": idempotencyKey }
    };
    const transport = signal ? {
      ...this.transport,
      signal: this.transport.signal ? AbortSignal.any([this.transport.signal, signal]) : signal
    } : this.transport;
    const answer = await this.sent(call, transport);
    if (answer.status !== 200) throw this.failure(answer, "restore licenses");
    const body = this.json(answer);
    const wrong = answerProblem(body, "RestoreResponse");
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
      const answer = await this.sent(call);
      if (isUnsupported(answer)) return void 0;
      if (answer.status !== 200) throw this.failure(answer, "preview the restore");
      const results = this.results(
        answer,
        batch.map((l) => l.jti),
        "PreviewResponse"
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
      const answer = await this.sent(call);
      if (isUnsupported(answer)) return void 0;
      if (answer.status === 403) {
        throw new LicenseBackupError(
          "UNAUTHORIZED",
          message`The license service at ${answer.url} refused to take licenses back (HTTP 403: ${problemDetail(answer) ?? "forbidden"}). They keep their slots; ask the service's operator to free them.`,
          { url: answer.url }
        );
      }
      if (answer.status !== 200) throw this.failure(answer, "release licenses");
      const results = this.results(answer, batch, "ReleaseResponse");
      for (const result of results) statuses.set(result.jti, result.status);
    }
    return statuses;
  }
  /**
   * POST /v1/sessions/{id}/renew (v1.2) for one batch (≤ 1000) of this machine's lease copies: each comes
   * back re-issued with a new lease, checked like a restore's, or refused. A renewal is idempotent, so it
   * is retried as it is. Undefined when the service has no renew (protocol v1 or v1.1).
   */
  async renewBatch(session, licenses, checkLicense) {
    if (licenses.length > MAX_BATCH) throw new RangeError(`A batch holds at most ${MAX_BATCH} licenses`);
    const call = {
      method: "POST",
      url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}/renew`,
      body: { licenses: licenses.map((l) => l.jws), ...this.lease }
    };
    const answer = await this.sent(call);
    if (isUnsupported(answer)) return void 0;
    if (answer.status !== 200) throw this.failure(answer, "renew licenses");
    const results = this.results(
      answer,
      licenses.map((l) => l.jti),
      "RenewResponse"
    );
    const outcomes = licenses.map((license, i) => {
      const result = results[i];
      if (result.status === "refused") return Promise.resolve(refusedOutcome(license, result));
      const outcome = this.outcome(answer, { ...result, status: "restored" }, license, session, checkLicense);
      outcome.catch(() => {
      });
      return outcome;
    });
    const renewed = [];
    for (const outcome of outcomes) {
      const checked = await outcome;
      renewed.push(checked.status === "restored" ? { ...checked, status: "renewed" } : checked);
    }
    return renewed;
  }
  /** DELETE /v1/sessions/{id} (DISCONNECTING). A session already gone (404) counts as closed. */
  async closeSession(session) {
    this.emit({ type: "DISCONNECTING", url: this.url });
    const call = { method: "DELETE", url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}` };
    const answer = await this.sent(call);
    if (answer.status === 204 || answer.status === 200 || answer.status === 404) return;
    throw this.failure(answer, "close the session");
  }
  /** An answer's results, one per asked ID in the asked order, or SERVICE_ERROR. */
  results(answer, asked, schema) {
    const body = this.json(answer);
    const wrong = answerProblem(body, schema);
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
    const leaseExpires = result.lease_expires;
    try {
      await checkLicense(result.license, {
        jti,
        key_id,
        rights: asked.rights,
        machineId: session.machineId,
        ...leaseExpires === void 0 ? {} : { leaseExpires }
      });
    } catch (error) {
      throw new LicenseBackupError(
        "SERVICE_ERROR",
        message`The license service at ${answer.url} returned a license ${jti} (key ID ${key_id}) that fails its check: ${error.message}. Nothing was written; report this to the service's operator.`,
        { url: answer.url, licenseId: jti, keyId: key_id, cause: error }
      );
    }
    return { jti, key_id, status: "restored", license: result.license };
  }
  /**
   * Sends a call; an answer that succeeds starts the deadline again (ADR 0223): a run of a million
   * licenses takes longer than any one deadline, but never that long without the service answering.
   */
  async sent(call, transport = this.transport) {
    const answer = await send(call, transport);
    if (answer.status >= 200 && answer.status < 300) {
      const next = this.transport.now() + this.deadlineMs;
      if (next > this.transport.deadline) this.transport.deadline = next;
    }
    return answer;
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
      message`The license service at ${answer.url} gave an answer this tool cannot use (HTTP ${answer.status}): ${why}. Check that ${option("service.url")} points at a license-backup protocol v1 service.`,
      { url: answer.url }
    );
  }
  /** Maps a final non-success answer to an error (ADR 0020). */
  failure(answer, action) {
    const detail = problemDetail(answer);
    const said = detail ? `: ${detail}` : "";
    const token = this.tokenEnv ? message`the token in the environment variable ${this.tokenEnv}` : message`${option("service.token")}`;
    if (answer.status === 401 && /^proof-/.test(problemSlug(answer) ?? "")) {
      return new LicenseBackupError(
        "UNAUTHORIZED",
        message`The license service at ${answer.url} refused this machine's proof of possession (HTTP 401${said}). The token was accepted: check this machine's clock and that ${option("service.url")} is the URL the service is reached at.`,
        { url: answer.url }
      );
    }
    if (answer.status === 401) {
      return new LicenseBackupError(
        "UNAUTHORIZED",
        message`The license service at ${answer.url} refused the credentials (HTTP 401${said}). Check ${token}.`,
        { url: answer.url }
      );
    }
    if (answer.status === 403) {
      return new LicenseBackupError(
        "UNAUTHORIZED",
        message`The license service at ${answer.url} does not allow this token to ${action} (HTTP 403${said}). Use a token with restore access in ${token}.`,
        { url: answer.url }
      );
    }
    if (answer.status === 404) {
      return new LicenseBackupError(
        "SERVICE_ERROR",
        message`The license service at ${answer.url} does not know this session (HTTP 404${said}); it may have expired. Run the restore again.`,
        { url: answer.url }
      );
    }
    return new LicenseBackupError(
      "SERVICE_ERROR",
      message`The license service at ${answer.url} could not ${action} (HTTP ${answer.status}${said}).`,
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
      message`${capitalized(option("service.url"))} "${url}" is not a URL; give the service's http(s) address.`
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`${capitalized(option("service.url"))} "${url}" is not an http(s) URL.`
    );
  }
  if (parsed.username || parsed.password) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      message`${capitalized(option("service.url"))} must not carry credentials; give the token in ${option("service.token")}.`
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
      message`No token for the license service at ${url}: ${where} is empty or unset.`,
      { url }
    );
  }
  if (!/^[\x21-\x7e]+$/.test(trimmed)) {
    throw new LicenseBackupError(
      "UNAUTHORIZED",
      message`The token for the license service at ${url} (${where}) holds spaces or characters a bearer token cannot have.`,
      { url }
    );
  }
  return trimmed;
}

// src/engine/service/refusals.ts
function refusalCode(reason) {
  if (reason === "restore-limit") return "RESTORE_LIMIT";
  if (reason === "not-yours") return "UNAUTHORIZED";
  if (["revoked", "expired", "invalid-signature", "invalid-license", "released"].includes(reason))
    return "INVALID_LICENSE";
  return "SERVICE_ERROR";
}
function refusalMessage(refused, title, refusedIn = "restore") {
  const which = title ? `"${title}" (key ID ${refused.key_id}, license ${refused.jti})` : `License ${refused.jti} (key ID ${refused.key_id})`;
  const see = refused.url ? ` See ${refused.url}` : "";
  const done = refusedIn === "restore" ? "restored" : "renewed";
  switch (refused.reason) {
    case "restore-limit":
      return refusedIn === "restore" ? `${which} cannot be restored onto this machine: it is already on as many machines as its issuer allows.${see}` : `${which} cannot be renewed: its lease on this machine ran out, and it is now on as many other machines as its issuer allows.${see}`;
    case "released":
      return `${which} cannot be renewed: this machine gave the license back (a release), so its copy keeps only the lease it has. Restore it to take a slot again.${see}`;
    case "revoked":
      return `${which} was revoked by its issuer and cannot be ${done}.${see}`;
    case "expired":
      return `${which} has expired and cannot be ${done}.${see}`;
    case "not-yours":
      return `${which} belongs to another account at the license service: restore it with a service token of the account it was issued to.${see}`;
    case "invalid-signature":
    case "invalid-license":
      return `${which} was not accepted by the license service (${refused.reason}): the backup holds a license its issuer did not sign.${see}`;
    default:
      return `${which} was refused by the license service (${refused.reason}).${see}`;
  }
}
function refusalEvent(refused, title, refusedIn = "restore") {
  if (!refused.url) return void 0;
  return {
    type: "ERROR_WITH_URL",
    code: refusalCode(refused.reason),
    message: refusalMessage(refused, title, refusedIn),
    url: refused.url,
    licenseId: refused.jti,
    keyId: refused.key_id
  };
}
function refusalError(refused, titleOf = () => void 0, renewed) {
  const first = refused[0];
  if (!first) throw new RangeError("refusalError needs at least one refusal");
  const limited = refused.find((r) => r.reason === "restore-limit");
  const code = limited ? "RESTORE_LIMIT" : refusalCode(first.reason);
  const lead = limited ?? first;
  const refusedIn = renewed === void 0 ? "restore" : "renew";
  const lines = refused.slice(0, 5).map((r) => refusalMessage(r, titleOf(r.key_id), refusedIn));
  const more = refused.length > 5 ? ` And ${refused.length - 5} more.` : "";
  const outcome = renewed === void 0 ? "nothing was restored" : `the other ${renewed} license(s) were renewed`;
  const message2 = refused.length === 1 ? `${lines[0]} ${outcome.charAt(0).toUpperCase()}${outcome.slice(1)}.` : `The license service refused ${refused.length} licenses; ${outcome}. ${lines.join(" ")}${more}`;
  return new LicenseBackupError(code, message2, {
    licenseId: lead.jti,
    keyId: lead.key_id,
    ...lead.url ? { url: lead.url } : {}
  });
}

// src/engine/slots/taken.ts
import { dirname as dirname2, join as join3 } from "node:path";

// src/engine/io/lines.ts
import { createReadStream } from "node:fs";
var LINE_CHUNK_BYTES = 64 * 1024;
async function* lineChunks(file, unterminated = "throw") {
  let rest = "";
  for await (const chunk of createReadStream(file, { encoding: "utf8", highWaterMark: LINE_CHUNK_BYTES })) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop();
    if (lines.length > 0) yield lines;
  }
  if (rest.length === 0) return;
  if (unterminated === "throw") throw new Error(`${file} ends in the middle of a line`);
  yield [rest];
}

// src/engine/slots/taken.ts
var NAMED = 10;
var TakenSlots = class _TakenSlots {
  constructor(file) {
    this.file = file;
  }
  file;
  written = 0;
  /** The first IDs taken, for messages. */
  first = [];
  static in(root) {
    return new _TakenSlots(takenFile(root));
  }
  /** How many slots were taken. */
  get size() {
    return this.written;
  }
  /** Appends a batch's slots, synchronously (one write). */
  add(jtis) {
    if (jtis.length === 0) return;
    for (const jti of jtis.slice(0, NAMED - this.first.length)) this.first.push(jti);
    const io = fileIO();
    if (this.written === 0) io.mkdirSync(dirname2(this.file), { recursive: true });
    const handle = io.openSync(this.file, this.written === 0 ? "w" : "a", 384);
    try {
      writeAllSync(handle, Buffer.from(`${jtis.join("\n")}
`));
    } finally {
      handle.close();
    }
    this.written += jtis.length;
  }
  /** The IDs taken, in batches the service takes back at once. */
  async *batches() {
    if (this.written === 0) return;
    let batch = [];
    for await (const lines of lineChunks(this.file)) {
      for (const jti of lines) {
        batch.push(jti);
        if (batch.length < MAX_BATCH) continue;
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
  /** Forgets every slot (given back, or kept by a committed restore) and removes the file. */
  async clear() {
    this.written = 0;
    await fileIO().rm(this.file, { force: true });
  }
};
function takenFile(root) {
  return join3(root, "taken");
}
async function removeTaken(root) {
  await fileIO().rm(takenFile(root), { force: true });
}

// src/engine/restore/spool.ts
import { join as join4 } from "node:path";
function spoolFile(root) {
  return join4(root, "sending");
}
async function openSpool(root) {
  const io = fileIO();
  const file = spoolFile(root);
  await io.mkdir(root, { recursive: true });
  await io.rm(file, { force: true });
  let handle = io.openSync(file, "wx", 384);
  const close = () => {
    handle?.close();
    handle = void 0;
  };
  return {
    append: (batch) => {
      if (!handle) throw new Error("The restore spool is closed");
      writeAllSync(handle, Buffer.from(batch.map(lineOf).join("")));
    },
    read: async function* () {
      close();
      for await (const lines of lineChunks(file)) yield lines.map(spooledOf);
    },
    remove: async () => {
      close();
      await io.rm(file, { force: true });
    }
  };
}
async function removeSpool(root) {
  await fileIO().rm(spoolFile(root), { force: true });
}
function lineOf(license) {
  const { path, held: held2, jti, key_id, rights, jws } = license;
  return `${JSON.stringify([path, held2, jti, key_id, rights, jws])}
`;
}
function spooledOf(line) {
  const [path, held2, jti, key_id, rights, jws] = JSON.parse(line);
  return { path, held: held2, jti, key_id, rights, jws };
}

// src/engine/restore/commit.ts
import { createReadStream as createReadStream2, existsSync, lstatSync } from "node:fs";
import { setImmediate as nextTurn } from "node:timers/promises";
import { basename as basename2, dirname as dirname4, join as join5 } from "node:path";

// src/engine/restore/journal.ts
import { realpath } from "node:fs/promises";
import { dirname as dirname3 } from "node:path";
var DOCUMENT_VERSION = 2;
var LINES_VERSION = 3;
var HEAD_BYTES = 64 * 1024;
function pathLines(paths) {
  return {
    count: paths.length,
    lines: async function* () {
      for (let from = 0; from < paths.length; from += 1024)
        yield paths.slice(from, from + 1024).map((path) => `${JSON.stringify(path)}
`).join("");
    }
  };
}
async function writeJournal(store, file, staged, removed) {
  const header = {
    version: LINES_VERSION,
    store: await realpath(store),
    id: `${process.pid}-${Date.now().toString(36)}`,
    paths: staged.count,
    removed: removed.count
  };
  async function* text() {
    yield `${JSON.stringify(header)}
`;
    yield* staged.lines();
    yield* removed.lines();
  }
  await writeFileAtomic(file, text(), { crashLabel: "restore:journal" });
  return inLines(file, header.id, staged.count, removed.count);
}
async function readJournal(store, file) {
  const cannotRead = (error) => new LicenseBackupError(
    "IO_ERROR",
    message`The restore journal ${file} cannot be read (${codeOf(error)}); check the disk and run again: an interrupted restore is finished from it.`,
    { file, cause: error }
  );
  let head;
  try {
    head = await readHead(file);
  } catch (error) {
    if (error.code === "ENOENT") return void 0;
    throw cannotRead(error);
  }
  const real = await realpath(store);
  const header = linesHeader(head);
  try {
    if (header) return await judgedLines(file, header, real);
    return judged(await fileIO().readFile(file, "utf8"), real);
  } catch (error) {
    throw cannotRead(error);
  }
}
async function readHead(file) {
  const handle = await fileIO().open(file, "r");
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    return buffer.toString("utf8", 0, bytesRead);
  } finally {
    await handle.close();
  }
}
function linesHeader(head) {
  const end = head.indexOf("\n");
  if (end < 0) return void 0;
  let value;
  try {
    value = JSON.parse(head.slice(0, end));
  } catch {
    return void 0;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return void 0;
  const version = value["version"];
  return typeof version === "number" && version > DOCUMENT_VERSION ? value : void 0;
}
async function judgedLines(file, header, store) {
  const notOurs = "it is not a restore journal of this tool";
  if (header["version"] !== LINES_VERSION)
    return {
      damaged: `it is a journal of version ${shown(header["version"])}, which this release does not read (it reads ${LINES_VERSION} in lines): a later release wrote it, and can finish it`
    };
  const { id, paths: count, removed: removing } = header;
  if (typeof id !== "string" || !isCount(count) || !isCount(removing))
    return {
      damaged: `${notOurs} (its first line's \`id\`, \`paths\` or \`removed\` is missing or of the wrong type)`
    };
  if (header["store"] !== store) return { damaged: notThisStore(header["store"], store) };
  let seen = 0;
  for await (const chunk of bodyLines(file, 0)) {
    for (const line of chunk) {
      seen++;
      const path = pathOf(line);
      if (path === void 0) return { damaged: `${notOurs} (its line ${seen + 1} is not a path in quotes)` };
      const why = pathProblem(path);
      if (why) return { damaged: `${notOurs}: its path ${shown(path)} ${why}` };
    }
  }
  if (seen !== count + removing)
    return {
      damaged: `it lists ${seen} path(s) where its first line says ${count + removing} (cut short or overwritten)`
    };
  return inLines(file, id, count, removing);
}
function inLines(file, id, count, removing) {
  return {
    id,
    count,
    paths: () => bodyLines(file, 0, count),
    removed: () => bodyLines(file, count, removing)
  };
}
function isCount(value) {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}
function pathOf(line) {
  try {
    const value = JSON.parse(line);
    return typeof value === "string" ? value : void 0;
  } catch {
    return void 0;
  }
}
async function* bodyLines(file, skip, take = Infinity) {
  let index = -1;
  const wanted = (lines) => {
    const out = [];
    for (const line of lines) {
      index++;
      if (index > skip + take) break;
      if (index > skip) out.push(take === Infinity ? line : JSON.parse(line));
    }
    return out;
  };
  for await (const lines of lineChunks(file, "yield")) {
    const out = wanted(lines);
    if (out.length > 0) yield out;
    if (index > skip + take) return;
  }
}
function judged(text, store) {
  if (text.length === 0) return { damaged: "it is empty" };
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return { damaged: "it is not JSON (cut short or overwritten)" };
  }
  const damaged = problem(value, store);
  if (damaged !== void 0) return { damaged };
  const { id, paths, removed = [] } = value;
  return { id, count: paths.length, paths: chunked(paths), removed: chunked(removed) };
}
function chunked(paths) {
  return async function* () {
    if (paths.length > 0) yield paths;
  };
}
function problem(value, store) {
  const notOurs = "it is not a restore journal of this tool";
  if (typeof value !== "object" || value === null || Array.isArray(value)) return `${notOurs} (not an object)`;
  const journal = value;
  if (journal["version"] !== void 0 && journal["version"] !== DOCUMENT_VERSION)
    return `it is a journal of version ${shown(journal["version"])}, which this release does not read (it reads ${DOCUMENT_VERSION}) as one JSON document: a later release wrote it, and can finish it`;
  const lists = [journal["paths"], journal["removed"] ?? []];
  if (typeof journal["id"] !== "string" || !lists.every(isStringList))
    return `${notOurs} (its \`id\`, \`paths\` or \`removed\` is missing or of the wrong type)`;
  for (const path of lists.flat()) {
    const why = pathProblem(path);
    if (why) return `${notOurs}: its path ${shown(path)} ${why}`;
  }
  if (journal["version"] === void 0) return void 0;
  if (journal["store"] !== store) return notThisStore(journal["store"], store);
  return void 0;
}
function notThisStore(written, store) {
  return `it belongs to the store ${shown(written)}, not this one (${store}): it was copied here with the store's ${STATE_DIR} folder, or the store was moved`;
}
function isStringList(value) {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}
function shown(value) {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 200 ? `${text.slice(0, 200)}\u2026` : text;
}
function damagedJournalError(store, file, reason) {
  return new LicenseBackupError(
    "STORE_INVALID",
    message`The restore journal ${file} cannot be used: ${reason}. It records a restore (or release) of the store ${store} that was interrupted after its commit point, and no run can finish it from this file. To roll the store back to where it was before that restore (the licenses it had not yet moved in are dropped, any it had moved in stay, and the damaged journal is kept beside it as journal.json.damaged-<time>), ${turnOn("rollBackInterrupted")} and run again; then run the restore again. Nothing was changed.`,
    { file }
  );
}
async function setAside(file) {
  const kept = `${file}.damaged-${(/* @__PURE__ */ new Date()).toISOString().replace(/[:.]/g, "-")}`;
  try {
    await fileIO().rename(file, kept);
    await fsyncDir(dirname3(file));
  } catch (error) {
    throw asEngineError(
      error,
      (code) => new LicenseBackupError(
        "IO_ERROR",
        message`The damaged restore journal ${file} cannot be set aside (${code}); check the folder's permissions and run again.`,
        { file, cause: error }
      )
    );
  }
  return kept;
}
function codeOf(error) {
  return error.code ?? error.message;
}

// src/engine/restore/commit.ts
var RESTORE_DIR = join5(STATE_DIR, "restore");
function restoreDirs(store) {
  const root = join5(store, RESTORE_DIR);
  return {
    root,
    staging: join5(root, "staging"),
    staged: join5(root, "staged"),
    journal: join5(root, "journal.json")
  };
}
var PATHS_PER_WRITE = 1024;
async function openStaging(store) {
  const { staging, staged } = restoreDirs(store);
  const io = fileIO();
  for (const leftover of [staging, staged])
    await io.rm(leftover, { recursive: true, force: true }).catch((error) => {
      throw stagingError(store, leftover, error);
    });
  const made = /* @__PURE__ */ new Set();
  let pending = [];
  let count = 0;
  let listed = 0;
  const flush = () => {
    if (pending.length === 0) return;
    try {
      const handle = io.openSync(staged, listed === 0 ? "w" : "a", 420);
      try {
        writeAllSync(handle, Buffer.from(pending.map((path) => `${JSON.stringify(path)}
`).join("")));
      } finally {
        handle.close();
      }
    } catch (error) {
      throw stagingError(store, staged, error);
    }
    listed += pending.length;
    pending = [];
  };
  return {
    get count() {
      return count;
    },
    add: (file) => {
      const target = join5(staging, file.path);
      const parent = dirname4(target);
      try {
        if (!made.has(parent)) {
          io.mkdirSync(parent, { recursive: true });
          made.add(parent);
        }
        writeFileSync(io, target, file.data);
      } catch (error) {
        throw stagingError(store, target, error);
      }
      pending.push(file.path);
      count++;
      if (pending.length >= PATHS_PER_WRITE) flush();
      crashPoint("restore:stage");
    },
    lines: async function* () {
      flush();
      if (listed === 0) return;
      for await (const chunk of createReadStream2(staged, {
        encoding: "utf8",
        highWaterMark: LINE_CHUNK_BYTES
      }))
        yield chunk;
    }
  };
}
async function dropStaging(store) {
  const dirs = restoreDirs(store);
  await fileIO().rm(dirs.staged, { force: true });
  if (await exists(dirs.journal)) return;
  await fileIO().rm(dirs.staging, { recursive: true, force: true });
}
async function isCommitted(store) {
  return exists(restoreDirs(store).journal);
}
async function commitStaged(store, staged, warn, removed = []) {
  const dirs = restoreDirs(store);
  const paths = "lines" in staged ? staged : pathLines(staged);
  let journal;
  try {
    await fileIO().mkdir(dirs.root, { recursive: true });
    if (paths.count > 0) await syncAll(dirs.staging, () => stagedFiles(dirs.staging, paths));
    crashPoint("restore:before-journal");
    journal = await writeJournal(store, dirs.journal, paths, pathLines(removed));
  } catch (error) {
    if (!await exists(dirs.journal)) throw stagingError(store, dirs.journal, error);
    throw unfinishedError(store, dirs.journal, error);
  }
  crashPoint("restore:after-journal");
  await fileIO().rm(dirs.staged, { force: true }).catch(() => {
  });
  return rollForward(store, journal, warn);
}
async function* stagedFiles(staging, paths) {
  let rest = "";
  for await (const chunk of paths.lines()) {
    const lines = (rest + chunk).split("\n");
    rest = lines.pop();
    for (const line of lines) yield join5(staging, JSON.parse(line));
  }
}
async function recoverRestore(store, warn, rollBack = false) {
  const dirs = restoreDirs(store);
  const io = fileIO();
  await removeSpool(dirs.root);
  await removeTaken(dirs.root);
  await io.rm(dirs.staged, { force: true });
  const journal = await readJournal(store, dirs.journal);
  if (journal && "damaged" in journal) {
    if (!rollBack) throw damagedJournalError(store, dirs.journal, journal.damaged);
    const kept = await setAside(dirs.journal);
    warn?.(
      message`The restore journal ${dirs.journal} cannot be used: ${journal.damaged}. As ${option("rollBackInterrupted")} asks, the interrupted restore was rolled back: the licenses it had staged and not yet moved into the store were dropped (any it had moved in stay), and the damaged journal was kept as ${basename2(kept)} beside it. Run the restore again to bring back what it was restoring.`
    );
  } else if (journal) {
    await rollForward(store, journal, warn);
    await removeJournalTemps(dirs.root, dirs.journal);
    return "rolled-forward";
  }
  const temps = await removeJournalTemps(dirs.root, dirs.journal);
  if (!await exists(dirs.staging)) return temps > 0 ? "rolled-back" : "none";
  await io.rm(dirs.staging, { recursive: true, force: true }).catch((error) => {
    throw stagingError(store, dirs.staging, error);
  });
  crashPoint("restore:rolled-back");
  return "rolled-back";
}
async function removeJournalTemps(root, journal) {
  const io = fileIO();
  let names;
  try {
    names = await io.readdir(root);
  } catch {
    return 0;
  }
  const temps = names.filter((name) => isAtomicTemp(name, basename2(journal)));
  for (const name of temps) await io.rm(join5(root, name), { force: true });
  return temps.length;
}
async function rollForward(store, journal, warn) {
  const dirs = restoreDirs(store);
  const io = fileIO();
  const moved = new Uint8Array(journal.count);
  const made = /* @__PURE__ */ new Set();
  const blockedFolders = /* @__PURE__ */ new Map();
  const leftOut = [];
  let current = dirs.journal;
  try {
    let index = 0;
    for await (const chunk of journal.paths())
      for (const path of chunk) {
        if (index > 0 && index % MOVES_PER_TURN === 0) await nextTurn();
        const staged = join5(dirs.staging, path);
        const target = join5(store, path);
        current = target;
        index++;
        if (!existsSync(staged)) continue;
        const parent = dirname4(target);
        if (!made.has(parent)) {
          const blocker = blockedFolders.get(parent) ?? folderBlocker(store, path);
          if (blocker !== void 0) {
            blockedFolders.set(parent, blocker);
            leftOut.push({ path, blocker });
            continue;
          }
          io.mkdirSync(parent, { recursive: true });
          made.add(parent);
        }
        try {
          io.renameSync(staged, target);
        } catch (error) {
          if (!lstatSync(target, { throwIfNoEntry: false })?.isDirectory()) throw error;
          leftOut.push({ path, blocker: path });
          continue;
        }
        moved[index - 1] = 1;
        crashPoint("restore:move");
      }
    current = store;
    await syncAll(store, () => movedFiles(store, journal, moved));
    crashPoint("restore:moved-all");
    await removeAll(store, journal.removed());
    current = dirs.journal;
    await io.rm(dirs.journal, { force: true });
    await fsyncDir(dirs.root);
  } catch (error) {
    throw unfinishedError(store, current, error);
  }
  crashPoint("restore:journal-removed");
  await io.rm(dirs.staging, { recursive: true, force: true }).catch(() => {
  });
  crashPoint("restore:staging-removed");
  if (leftOut.length > 0) warn?.(leftOutMessage(store, leftOut));
  return leftOut.length;
}
function folderBlocker(store, path) {
  for (let slash = path.indexOf("/"); slash >= 0; slash = path.indexOf("/", slash + 1)) {
    const folder = path.slice(0, slash);
    const info = lstatSync(join5(store, folder), { throwIfNoEntry: false });
    if (info === void 0) return void 0;
    if (!info.isDirectory()) return folder;
  }
  return void 0;
}
function leftOutMessage(store, leftOut) {
  const shown2 = leftOut.slice(0, 5).map(({ path, blocker }) => `${JSON.stringify(path)} (in the way: ${JSON.stringify(blocker)})`);
  const more = leftOut.length > shown2.length ? ` and ${leftOut.length - shown2.length} more` : "";
  return `${leftOut.length} restored license(s) could not be moved into the store ${store}, which has a folder where the license goes or a file or link where its folder goes: ${shown2.join(", ")}${more}. They were left out; the rest of the restore is complete. Move what is in the way out of the store and run the restore again to bring them back.`;
}
var MOVES_PER_TURN = 1024;
async function removeAll(store, removed) {
  const io = fileIO();
  const parents = /* @__PURE__ */ new Set();
  for await (const chunk of removed)
    for (const path of chunk) {
      await io.rm(join5(store, path), { force: true });
      parents.add(dirname4(join5(store, path)));
      crashPoint("release:remove");
    }
  for (const parent of parents) await fsyncDir(parent);
}
async function* movedFiles(store, journal, moved) {
  let index = 0;
  for await (const chunk of journal.paths())
    for (const path of chunk) if (moved[index++] === 1) yield join5(store, path);
}
async function syncAll(dir, files) {
  if (await fileIO().syncFileSystem(dir)) return;
  const dirs = /* @__PURE__ */ new Set();
  for await (const file of files()) {
    await fsyncFile(file);
    dirs.add(dirname4(file));
  }
  for (const parent of dirs) await fsyncDir(parent);
}
function writeFileSync(io, file, data) {
  const handle = io.openSync(file, "w", 420);
  try {
    writeAllSync(handle, data);
  } finally {
    handle.close();
  }
}
function stagingError(store, file, error) {
  return asEngineError(error, (code) => stagingIoError(store, file, code, error));
}
function stagingIoError(store, file, code, error) {
  const fix = code === "ENOSPC" || code === "EDQUOT" ? "free some space on its disk" : code === "EACCES" || code === "EPERM" || code === "EROFS" ? "give the restore job write access to it" : "check the disk";
  return new LicenseBackupError(
    "IO_ERROR",
    message`Staging the restored licenses in the store ${store} failed at ${file} (${code}); ${fix} and run the restore again. The store's licenses are as they were.`,
    { file, cause: error }
  );
}
function unfinishedError(store, file, error) {
  return asEngineError(
    error,
    (code) => new LicenseBackupError(
      "IO_ERROR",
      message`Moving the restored licenses into the store ${store} failed at ${file} (${code}); the restore is committed but not finished. Fix the cause (disk, permissions) and run the restore, or any backup of this store, again: it completes the restore before anything else.`,
      { file, cause: error }
    )
  );
}
async function exists(path) {
  try {
    await fileIO().stat(path);
    return true;
  } catch (error) {
    const code = error.code;
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw error;
  }
}

export {
  acquireStoreLock,
  acquireBackupPathLock,
  ensureStoredMachineKey,
  readMachineId,
  machineKeyFor,
  MAX_BATCH,
  ServiceClient,
  refusalMessage,
  refusalEvent,
  refusalError,
  TakenSlots,
  openSpool,
  restoreDirs,
  openStaging,
  dropStaging,
  isCommitted,
  commitStaged,
  recoverRestore
};
/**
 * A license's result as the client reports it: the wire's result (@license-backup/protocol) with the key
 * ID asked for; a refusal's reason is the wire's, or `unspecified` from a service that gave none.
 */
