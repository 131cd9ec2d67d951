import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  debug,
  error,
  getState,
  group,
  info,
  notice,
  saveState,
  setFailed,
  setSecret,
  warning
} from "./chunk-2HFINW4O.js";
import {
  checkRecipients
} from "./chunk-GYL6EDMH.js";
import {
  listed
} from "./chunk-Z6LEVCEF.js";
import {
  parseSigningKey
} from "./chunk-XDYNRSUZ.js";
import {
  LicenseBackupError,
  emitter,
  isLicenseBackupError,
  message,
  phrase,
  prose
} from "./chunk-LIRZADVX.js";

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

// src/engine/index.ts
async function checkRecipients2(recipients) {
  await checkRecipients(recipients);
}
function createBackupRestorer(listener) {
  const emit = emitter(listener);
  return {
    backup: async (options, control = {}) => (await import("./backup-WJW6ZLIP.js")).backup(options, control, emit),
    restore: async (options, control = {}) => (await import("./restore-K44F4I6O.js")).restore(options, control, emit),
    verify: async (options, control = {}) => (await import("./verify-52T5UTMQ.js")).verify(options, control, emit),
    release: async (options, control = {}) => (await import("./release-RBQBPNLY.js")).release(options, control, emit),
    renew: async (options, control = {}) => (await import("./renew-2KEVVXSG.js")).renew(options, control, emit)
  };
}

// src/action/artifacts/client.ts
async function loadArtifactClient() {
  const { DefaultArtifactClient } = await import("./artifact-PYZOPHP3.js");
  return new DefaultArtifactClient();
}
function defaultArtifactName(context, stepIndex) {
  const job = context.job.replace(/[^A-Za-z0-9_.-]/g, "-");
  return `license-backup-${job}-${context.attempt}${stepIndex === void 0 ? "" : `-${stepIndex}`}`;
}
function artifactUrl(context, id) {
  return `${context.serverUrl}/${context.repository}/actions/runs/${context.runId}/artifacts/${id}`;
}

// src/action/log/text.ts
var brand = /* @__PURE__ */ Symbol("LogText");
var ZERO_WIDTH_SPACE = "\u200B";
var UNSAFE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
var SHORT_ESCAPES = { "\n": "\\n", "\r": "\\r" };
function neutralise(value) {
  return value.replace(UNSAFE, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
function disarm(line) {
  return line.replace(/##\[/g, `##${ZERO_WIDTH_SPACE}[`).replace(/^(\s*):(?=:)/u, `$1:${ZERO_WIDTH_SPACE}`);
}
function logText(strings, ...values) {
  let line = strings[0] ?? "";
  for (const [i, value] of values.entries()) {
    line += (typeof value === "object" ? value[brand] : String(value)) + (strings[i + 1] ?? "");
  }
  return { [brand]: disarm(neutralise(line)) };
}
function lineOf(text) {
  return text[brand];
}

// src/action/log/write.ts
function properties(props) {
  return {
    ...props.title === void 0 ? {} : { title: lineOf(props.title) },
    ...props.file === void 0 ? {} : { file: neutralise(props.file) },
    ...props.startLine === void 0 ? {} : { startLine: props.startLine },
    ...props.startColumn === void 0 ? {} : { startColumn: props.startColumn }
  };
}
var log = {
  info: (text) => info(lineOf(text)),
  debug: (text) => debug(lineOf(text)),
  notice: (text, props = {}) => notice(lineOf(text), properties(props)),
  warning: (text, props = {}) => warning(lineOf(text), properties(props)),
  error: (text, props = {}) => error(lineOf(text), properties(props)),
  /** The run's one failure: an error annotation and exit code 1. */
  fail: (text) => setFailed(lineOf(text)),
  group: (title, body) => group(lineOf(title), body)
};

// src/action/report.ts
var RunReport = class {
  steps = [];
  add(record) {
    this.steps.push(record);
  }
  get backedUp() {
    return this.steps.reduce((n, s) => n + (s.backedUp ?? 0), 0);
  }
  get restored() {
    return this.steps.reduce((n, s) => n + (s.restored ?? 0), 0);
  }
  get restricted() {
    return this.steps.flatMap((s) => s.restricted ?? []);
  }
  /** Unique key IDs in the order first seen: several licenses may share a key. */
  get restrictedKeyIds() {
    return [...new Set(this.restricted.map((r) => r.key_id))];
  }
  get lastBackupPath() {
    return this.steps.filter((s) => s.kind === "backup" && s.backedUp !== void 0).at(-1)?.path ?? "";
  }
  /** The last backup pushed to a registry. */
  get lastPush() {
    return this.steps.filter((s) => s.registry?.pushed).at(-1)?.registry;
  }
  /** The earliest lease end (ISO 8601) of the copies the run restored or renewed; '' when none was a lease. */
  get leaseExpires() {
    const ends = this.steps.flatMap((s) => s.leaseExpires ? [s.leaseExpires] : []);
    return ends.sort()[0] ?? "";
  }
  get verified() {
    return this.steps.reduce((n, s) => n + (s.verified ?? 0), 0);
  }
  /** The last backup's pack size, and bytes per license (0 without a backup). */
  get lastPack() {
    const last = this.steps.filter((s) => s.kind === "backup" && s.packSize !== void 0).at(-1);
    if (!last?.packSize) return { size: 0, perLicense: 0 };
    return {
      size: last.packSize,
      perLicense: last.backedUp ? bytesPerLicense(last.packSize, last.backedUp) : 0
    };
  }
  get lastArtifact() {
    return this.steps.filter((s) => s.artifact).at(-1)?.artifact;
  }
};
function bytesPerLicense(packSize, licenses) {
  return Math.round(packSize / licenses);
}

// src/action/steps/config-error.ts
var ConfigError = class extends LicenseBackupError {
  location;
  reason;
  constructor(reason, location) {
    const text = typeof reason === "string" ? prose(reason) : { parts: reason.parts };
    super("CONFIG_INVALID", location ? message`${where(location)}: ${text}` : text, {
      ...location?.file === void 0 ? {} : { file: location.file }
    });
    this.location = location;
    this.reason = text;
  }
};
function where(location) {
  return `${location.source}:${location.line}:${location.column}`;
}

// src/action/steps/secrets.ts
function readSecrets(steps, env, sink) {
  const resolved = /* @__PURE__ */ new Map();
  for (const step of steps) {
    if (step.kind === "backup") {
      const registryToken2 = registrySecret(step.registry, "registry", env, sink);
      resolved.set(step, {
        ...registryToken2 === void 0 ? {} : { registryToken: registryToken2 },
        ...step.signKeyEnv ? { signingKey: signingKey(step, step.signKeyEnv, env, sink) } : {}
      });
      continue;
    }
    if (step.kind === "verify") {
      const registryToken2 = registrySecret(step.fromRegistry, "from-registry", env, sink);
      resolved.set(step, {
        ...registryToken2 === void 0 ? {} : { registryToken: registryToken2 },
        ...step.identityEnv ? { ageIdentity: identityOf(step.identityEnv, env, sink) } : {}
      });
      continue;
    }
    const registryToken = step.kind === "restore" ? registrySecret(step.fromRegistry, "from-registry", env, sink) : void 0;
    const secrets = registryToken === void 0 ? {} : { registryToken };
    if (!step.service.tokenEnv) {
      throw new ConfigError(
        `a ${step.kind} step needs the service token: add \`token-env: <VARIABLE>\` to \`service\` and set that variable from a secret.`,
        step.at
      );
    }
    secrets.token = read(step.service.tokenEnv, env, "service.token-env", sink);
    if (step.machineKeyEnv) {
      secrets.machineKey = read(step.machineKeyEnv, env, "machine-key-env", sink);
      sink.machineKey(secrets.machineKey);
    }
    if (step.kind === "restore" && step.identityEnv)
      secrets.ageIdentity = identityOf(step.identityEnv, env, sink);
    resolved.set(step, secrets);
  }
  return resolved;
}
function registrySecret(login, key, env, sink) {
  if (!login?.tokenEnv) return void 0;
  return read(login.tokenEnv, env, `${key}.token-env`, sink);
}
function identityOf(ref, env, sink) {
  const value = read(ref, env, "identity-env", sink);
  return ageIdentity(value, ref);
}
function signingKey(step, ref, env, sink) {
  const key = read(ref, env, "sign.key-env", sink);
  const source = `the environment variable ${ref.name} (named by \`sign.key-env\`)`;
  try {
    parseSigningKey(key, source);
  } catch (error2) {
    if (isLicenseBackupError(error2)) throw new ConfigError(error2, ref.at);
    throw error2;
  }
  if (step.format === "license-backup/v1") {
    throw new ConfigError("`sign` needs format license-backup/v2: a v1 backup cannot be signed.", ref.at);
  }
  return { key, source };
}
function read(ref, env, key, sink) {
  const value = env[ref.name];
  if (value === void 0 || value.trim() === "") {
    throw new ConfigError(
      `the environment variable ${ref.name} (named by \`${key}\`) is not set: ${sink.howToSet(ref.name)}.`,
      ref.at
    );
  }
  sink.secret(value);
  return value;
}
function ageIdentity(value, ref) {
  const key = value.split(/\r?\n/).map((line) => line.trim()).find((line) => line.startsWith("AGE-SECRET-KEY-1"));
  if (!key) {
    throw new ConfigError(
      `the environment variable ${ref.name} (named by \`identity-env\`) holds no age identity: it must contain a line starting with AGE-SECRET-KEY-1, as written by \`age-keygen\`.`,
      ref.at
    );
  }
  return key;
}

// src/action/secrets.ts
function resolveSecrets(steps, env) {
  return readSecrets(steps, env, {
    secret: mask,
    machineKey: maskMachineKey,
    howToSet: (name) => `set it from a secret in the workflow step's \`env:\`, e.g. \`${name}: \${{ secrets.${name} }}\``
  });
}
function mask(value) {
  const forms = /* @__PURE__ */ new Set([value, value.trim(), ...value.split(/\r\n|\r|\n/).map((line) => line.trim())]);
  for (const form of forms) if (form !== "") setSecret(form);
}
function maskMachineKey(value) {
  mask(value);
  const d = /"d"\s*:\s*"([^"]+)"/.exec(value)?.[1];
  if (d) setSecret(d);
}

// src/action/release-on-exit.ts
var EXIT_RELEASES_STATE = "release-on-exit";
var POST_STATE = "is-post";
var remembered = [];
function rememberForExit(step, jtis) {
  if (jtis.length === 0 || !step.service.tokenEnv) return;
  remembered.push({
    store: step.store,
    ...step.pattern === void 0 ? {} : { pattern: step.pattern },
    url: step.service.url,
    tokenEnv: step.service.tokenEnv.name,
    ...step.machineKeyEnv ? { machineKeyEnv: step.machineKeyEnv.name } : {},
    jtis
  });
  saveState(EXIT_RELEASES_STATE, JSON.stringify(remembered));
}
async function releaseOnExit(engine, env) {
  const saved = getState(EXIT_RELEASES_STATE);
  if (saved === "") return;
  let releases;
  try {
    releases = JSON.parse(saved);
  } catch {
    log.warning(logText`The post step found no readable list of restored licenses; nothing was released.`);
    return;
  }
  for (const entry of releases) await releaseOne(await engine(), entry, env);
}
async function releaseOne(engine, entry, env) {
  const token = env[entry.tokenEnv] ?? "";
  const machineKey = entry.machineKeyEnv === void 0 ? void 0 : env[entry.machineKeyEnv];
  if (token) mask(token);
  if (machineKey) maskMachineKey(machineKey);
  try {
    const result = await engine.release({
      store: entry.store,
      ...entry.pattern === void 0 ? {} : { pattern: entry.pattern },
      service: { url: entry.url, token },
      jtis: entry.jtis,
      ...machineKey ? { machineKey } : {}
    });
    log.info(
      logText`Gave back ${result.released + result.notHeld} license(s) restored into ${entry.store} (release-on-exit).`
    );
  } catch (error2) {
    log.warning(
      logText`release-on-exit could not give back the licenses restored into ${entry.store} at ${entry.url}: ${error2.message} These ${entry.jtis.length} license(s) still hold a slot of this machine: ${listed(entry.jtis)}. Run a release step for them, or ask the service's operator.`
    );
  }
}

// src/action/steps/words.ts
var STEPS_WORDS = {
  store: { name: "`store` in the steps file" },
  pattern: { name: "`pattern` in the steps file" },
  catalog: { name: "`catalog` in the steps file" },
  trust: { name: "`trust` in the steps file (`jwks`, `jwks-url` or `service: true`)" },
  "trust.jwksFile": { name: "`trust.jwks` in the steps file" },
  overwrite: { name: "the backup step's `overwrite`", turnOn: "set `overwrite: true` on the backup step" },
  encryptTo: { name: "the backup step's `encrypt-to`" },
  individualize: {
    name: "the restore step's `individualize`",
    turnOn: "set `individualize: true` on the restore step"
  },
  ageIdentity: { name: "the variable named by the restore step's `identity-env`" },
  machineKey: { name: "the variable named by the step's `machine-key-env`" },
  include: { name: "the step's `include`" },
  jtis: { name: "the licenses a restore step with `release-on-exit` restored" },
  onRefused: { name: "the restore step's `on-refused`" },
  lease: { name: "the step's `lease`" },
  "service.url": { name: "`service.url` in the steps file" },
  "service.token": { name: "the token in the variable named by `service.token-env`" },
  signers: { name: "`signers` in the steps file" },
  rollBackInterrupted: {
    name: "the step's `roll-back-interrupted`",
    turnOn: "set `roll-back-interrupted: true` on the step"
  }
};

// src/action/phrase.ts
function inStepsWords(text) {
  return phrase(text, STEPS_WORDS);
}
function errorText(error2) {
  if (isLicenseBackupError(error2)) return inStepsWords(error2);
  return error2 instanceof Error ? error2.message : String(error2);
}
function failureText(error2) {
  if (!isLicenseBackupError(error2)) return errorText(error2);
  if (error2.code === "CANCELLED") return `Cancelled: ${errorText(error2)}`;
  if (error2.code === "CONFIG_INVALID") return errorText(error2);
  return `${errorText(error2)} [${error2.code}]`;
}

// src/action/log/step-log.ts
var ANNOTATIONS_PER_STEP = 10;
var PROGRESS_INTERVAL_MS = 5e3;
function restrictedLine(license) {
  return logText`${restrictedLicenseMessage({
    key_id: license.keyId,
    ...license.title ? { title: license.title } : {}
  })}`;
}
function restrictedSummary(keyIds) {
  const unique = [...new Set(keyIds)];
  return `${restrictedSummaryMessage(keyIds.length)} (key ID${unique.length === 1 ? "" : "s"} ${unique.join(", ")})`;
}
var OPERATION_NAMES = {
  backup: "Backup",
  restore: "Restore",
  verify: "Verify",
  release: "Release",
  renew: "Renew"
};
var PHASE_LINES = {
  backup: { begin: logText`Backup started.`, end: logText`Backup finished.` },
  restore: {
    begin: logText`Committing the restored licenses into the store.`,
    end: logText`Restored licenses committed.`
  },
  release: {
    begin: logText`Removing the released licenses from the store.`,
    end: logText`Released licenses removed.`
  },
  renew: {
    begin: logText`Renewing this machine's lease copies and writing them back into the store.`,
    end: logText`Renewed copies written.`
  },
  verify: {
    begin: logText`Verify started: checking the backup as a restore would, writing nothing.`,
    end: logText`Verify finished: the backup would restore.`
  }
};
var StepLog = class {
  constructor(policy, now = Date.now) {
    this.policy = policy;
    this.now = now;
    this.lastProgress = now();
  }
  policy;
  now;
  restricted = [];
  refused = [];
  annotations = 0;
  lastProgress;
  onEvent = (event) => {
    switch (event.type) {
      case "BEGIN":
        log.info(PHASE_LINES[event.operation].begin);
        return;
      case "END":
        log.info(PHASE_LINES[event.operation].end);
        return;
      case "BACKUP_OPENED":
        log.info(
          logText`Reading ${event.format} backup at ${event.path}${event.origin ? `: ${event.origin}` : ""}${event.signer ? `; signed by ${event.signer}` : ""}.`
        );
        return;
      case "CONNECTING":
        log.info(logText`Connecting to the license service at ${event.url}.`);
        return;
      case "DISCONNECTING":
        log.info(logText`Disconnecting from the license service at ${event.url}.`);
        return;
      case "RESTRICTED_LICENSE":
        this.onRestricted(event);
        return;
      case "ERROR_WITH_URL":
        this.refused.push({
          keyId: event.keyId,
          licenseId: event.licenseId,
          message: event.message,
          url: event.url
        });
        log.error(
          logText`${event.message} (key ID ${event.keyId}, license ${event.licenseId}). See ${event.url}`,
          {
            title: logText`License refused [${event.code}]`
          }
        );
        return;
      case "PROGRESS":
        this.onProgress(event);
        return;
      case "LICENSE":
        log.debug(
          logText`${event.outcome}: license ${event.licenseId} (key ID ${event.keyId}) at ${event.path}${event.reason ? `: ${event.reason}` : ""}`
        );
        return;
      case "WARNING":
        log.warning(logText`${inStepsWords(event)}`);
        return;
    }
  };
  onRestricted(event) {
    this.restricted.push({
      keyId: event.keyId,
      licenseId: event.licenseId,
      ...event.title === void 0 ? {} : { title: event.title }
    });
    if (this.policy === "ignore") return;
    const line = restrictedLine(event);
    if (this.annotations >= ANNOTATIONS_PER_STEP) {
      log.info(line);
      return;
    }
    this.annotations++;
    const properties2 = { title: logText`Restricted license (key ID ${event.keyId})` };
    if (this.policy === "info") log.notice(line, properties2);
    else if (this.policy === "warn") log.warning(line, properties2);
    else log.error(line, properties2);
  }
  onProgress(event) {
    const now = this.now();
    if (now - this.lastProgress < PROGRESS_INTERVAL_MS) return;
    this.lastProgress = now;
    const percent = event.total > 0 ? ` (${Math.floor(event.done / event.total * 100)}%)` : "";
    log.info(
      logText`${OPERATION_NAMES[event.operation]}: ${event.phase} ${event.done} of ${event.total}${percent}`
    );
  }
  /** After the step: the count and, past the annotation cap, where the rest are. */
  finish() {
    if (this.restricted.length === 0) return;
    const keyIds = this.restricted.map((r) => r.keyId);
    if (this.policy === "ignore") {
      log.info(
        logText`${keyIds.length} restricted license(s) left out of the backup (on-restricted: ignore).`
      );
      return;
    }
    log.info(logText`${restrictedSummary(keyIds)}`);
  }
};

// src/action/restricted-licenses-error.ts
var RestrictedLicensesError = class extends Error {
  constructor(keyIds, path) {
    super(
      `${restrictedSummary(keyIds)}. The backup at ${path} is complete without them; the step fails because on-restricted is \`error\`.`
    );
    this.keyIds = keyIds;
    this.name = "RestrictedLicensesError";
  }
  keyIds;
};

// src/action/registry/reference.ts
var RegistryReferenceError = class extends Error {
  name = "RegistryReferenceError";
};
var COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
var TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
var DIGEST = /^sha256:[a-f0-9]{64}$/;
var HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;
function isTag(text) {
  return TAG.test(text);
}
function isDigest(text) {
  return DIGEST.test(text);
}
function isLoopbackHost(host) {
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.split(":")[0];
  return name === "127.0.0.1" || name === "localhost" || name === "[::1]";
}
function parseRepository(text) {
  const { scheme, rest } = splitScheme(text.trim());
  const slash = rest.indexOf("/");
  if (slash <= 0) {
    throw new RegistryReferenceError(
      `"${text}" names no registry host: write the repository in full, e.g. ghcr.io/acme/license-backups.`
    );
  }
  const host = rest.slice(0, slash);
  const name = rest.slice(slash + 1);
  if (!HOST.test(host))
    throw new RegistryReferenceError(`"${host}" is not a registry host name (in "${text}").`);
  if (scheme === "http" && !isLoopbackHost(host)) {
    throw new RegistryReferenceError(
      `"${text}" uses plain HTTP to a registry that is not on this machine: use https:// (plain HTTP is allowed only for 127.0.0.1 and localhost).`
    );
  }
  if (name === "" || !name.split("/").every((part) => COMPONENT.test(part))) {
    throw new RegistryReferenceError(
      `"${name}" is not a repository name (in "${text}"): use lower-case letters, digits, and . _ - between them, with / between path parts.`
    );
  }
  return { host, scheme, name };
}
function parseReference(text) {
  const trimmed = text.trim();
  const at = trimmed.indexOf("@");
  if (at >= 0) {
    const digest = trimmed.slice(at + 1);
    if (!isDigest(digest)) {
      throw new RegistryReferenceError(
        `"${digest}" is not a manifest digest (in "${text}"): write sha256: followed by 64 lower-case hex digits.`
      );
    }
    return { ...parseRepository(trimmed.slice(0, at)), digest };
  }
  const lastSlash = trimmed.lastIndexOf("/");
  const colon = trimmed.lastIndexOf(":");
  if (colon <= lastSlash) {
    throw new RegistryReferenceError(
      `"${text}" names no tag or digest: add one, e.g. ${trimmed}:nightly or ${trimmed}@sha256:\u2026.`
    );
  }
  const tag = trimmed.slice(colon + 1);
  if (!isTag(tag)) {
    throw new RegistryReferenceError(
      `"${tag}" is not a tag (in "${text}"): up to 128 letters, digits, _ . and -, not starting with . or -.`
    );
  }
  return { ...parseRepository(trimmed.slice(0, colon)), tag };
}
function splitScheme(text) {
  const match = /^([a-z][a-z0-9+.-]*):\/\//i.exec(text);
  if (!match) return { scheme: "https", rest: text };
  const scheme = (match[1] ?? "").toLowerCase();
  if (scheme !== "https" && scheme !== "http") {
    throw new RegistryReferenceError(`"${text}" uses ${scheme}://: a registry is reached over https:// only.`);
  }
  return { scheme, rest: text.slice(match[0].length) };
}
function repositoryText(repository) {
  return `${repository.scheme === "http" ? "http://" : ""}${repository.host}/${repository.name}`;
}
function referenceText(reference) {
  if (reference.digest) return `${repositoryText(reference)}@${reference.digest}`;
  return `${repositoryText(reference)}:${reference.tag ?? ""}`;
}
function registryOrigin(repository) {
  return `${repository.scheme}://${repository.host}`;
}

// src/action/artifacts/restore-dir.ts
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { join } from "node:path";
var PREFIX = "license-backup-restore-";
function makeRestoreDir(tempDir) {
  return mkdtemp(join(tempDir, `${PREFIX}${process.pid}-`));
}
async function sweepRestoreDirs(tempDir) {
  const names = await readdir(tempDir).catch(() => []);
  const removed = [];
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const pid = /^(\d+)-/.exec(name.slice(PREFIX.length))?.[1];
    if (pid !== void 0 && isRunning(Number(pid))) continue;
    const folder = join(tempDir, name);
    try {
      await rm(folder, { recursive: true, force: true });
      removed.push(folder);
    } catch {
    }
  }
  return removed;
}
function isRunning(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error2) {
    return error2.code === "EPERM";
  }
}

export {
  checkRecipients2 as checkRecipients,
  createBackupRestorer,
  loadArtifactClient,
  defaultArtifactName,
  artifactUrl,
  makeRestoreDir,
  sweepRestoreDirs,
  neutralise,
  logText,
  log,
  ConfigError,
  RunReport,
  bytesPerLicense,
  resolveSecrets,
  mask,
  POST_STATE,
  rememberForExit,
  releaseOnExit,
  errorText,
  failureText,
  StepLog,
  RestrictedLicensesError,
  RegistryReferenceError,
  isDigest,
  isLoopbackHost,
  parseRepository,
  parseReference,
  repositoryText,
  referenceText,
  registryOrigin
};
