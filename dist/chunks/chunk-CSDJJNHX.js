import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  CompactSign,
  LicenseBackupError,
  cancelled,
  capitalized,
  option
} from "./chunk-J72GMQ5P.js";

// src/engine/service/client.ts
import { randomUUID } from "node:crypto";

// src/engine/events.ts
function emitter(listener) {
  return (event) => {
    try {
      listener?.(event);
    } catch {
    }
  };
}

// src/engine/service/proof.ts
import { randomBytes } from "node:crypto";
async function sessionProof(machine, audience, now) {
  const payload = { aud: audience, iat: Math.floor(now / 1e3), nonce: randomBytes(24).toString("base64url") };
  const jwk = { kty: "OKP", crv: "Ed25519", x: String(machine.publicJwk.x) };
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload))).setProtectedHeader({ alg: "EdDSA", typ: "session-proof+jwt", jwk }).sign(machine.privateKey);
}

// src/engine/service/protocol.ts
function sessionShapeError(body) {
  if (!isObject(body)) return "the body is not a JSON object";
  if (typeof body["id"] !== "string" || !/^[A-Za-z0-9._~-]{1,200}$/.test(body["id"])) {
    return "id is missing or not a session ID";
  }
  if (typeof body["expires_at"] !== "string") return "expires_at is missing";
  return void 0;
}
var RESTORE_STATUSES = ["restored", "refused"];
var PREVIEW_STATUSES = ["would-restore", "held", "refused"];
var RELEASE_STATUSES = ["released", "not-held"];
function resultsShapeError(body, statuses = RESTORE_STATUSES) {
  if (!isObject(body) || !Array.isArray(body["results"])) return 'the body is not {"results": [...]}';
  for (const [i, result] of body["results"].entries()) {
    if (!isObject(result)) return `results[${i}] is not an object`;
    if (typeof result["jti"] !== "string") return `results[${i}].jti is missing`;
    if (!statuses.includes(result["status"])) {
      return `results[${i}].status is not one of ${statuses.map((x) => `"${x}"`).join(", ")}`;
    }
    for (const key of ["license", "reason", "url"]) {
      if (result[key] !== void 0 && typeof result[key] !== "string")
        return `results[${i}].${key} is not a string`;
    }
  }
  return void 0;
}
function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
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
        `The license service at ${call.url} answered ${last} and asked to retry in ${Math.ceil(asked / 1e3)} s, past this run's deadline; run the restore again after ${at}.`,
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
    `The license service at ${call.url} did not answer in time: ${what}. Check that the service is up and reachable, then run the restore again.`,
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
  constructor(options) {
    this.url = baseUrl(options.url);
    this.tokenEnv = options.tokenEnv;
    const token = checkedToken(options.token, this.url, options.tokenEnv);
    const now = options.now ?? Date.now;
    this.transport = {
      token,
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      deadline: now() + (options.deadlineMs ?? DEFAULT_DEADLINE_MS),
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
    const answer = await send(call, this.transport);
    if (answer.status !== 201 && answer.status !== 200) throw this.failure(answer, "open a session");
    const body = this.json(answer);
    const wrong = sessionShapeError(body);
    if (wrong) throw this.badAnswer(answer, wrong);
    const session = body;
    return { id: session.id, expiresAt: session.expires_at, machineId: machine.id };
  }
  /**
   * POST /v1/sessions/{id}/restore for one batch (≤ 1000 licenses), with one Idempotency-Key for all its
   * retries. Every result is checked; outcomes come back in the batch's order. `signal` aborts this call
   * only (the restore drops a batch in flight when an earlier one fails), with `CANCELLED`.
   */
  async restoreBatch(session, licenses, checkLicense, idempotencyKey = randomUUID(), signal) {
    if (licenses.length > MAX_BATCH) throw new RangeError(`A batch holds at most ${MAX_BATCH} licenses`);
    const asked = /* @__PURE__ */ new Map();
    for (const license of licenses) {
      if (asked.has(license.jti)) throw new RangeError(`License ${license.jti} appears twice in one batch`);
      asked.set(license.jti, license);
    }
    const call = {
      method: "POST",
      url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}/restore`,
      body: { licenses: licenses.map((l) => l.jws) },
      headers: { "idempotency-key": idempotencyKey }
    };
    const transport = signal ? {
      ...this.transport,
      signal: this.transport.signal ? AbortSignal.any([this.transport.signal, signal]) : signal
    } : this.transport;
    const answer = await send(call, transport);
    if (answer.status !== 200) throw this.failure(answer, "restore licenses");
    const body = this.json(answer);
    const wrong = resultsShapeError(body);
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
  /** Restores any number of licenses in batches of ≤ 1000, emitting PROGRESS after each batch. */
  async restoreAll(session, licenses, checkLicense) {
    const outcomes = [];
    for (let start = 0; start < licenses.length; start += MAX_BATCH) {
      outcomes.push(
        ...await this.restoreBatch(session, licenses.slice(start, start + MAX_BATCH), checkLicense)
      );
      this.emit({
        type: "PROGRESS",
        operation: "restore",
        phase: "service",
        done: outcomes.length,
        total: licenses.length
      });
    }
    return outcomes;
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
      const answer = await send(call, this.transport);
      if (isUnsupported(answer)) return void 0;
      if (answer.status !== 200) throw this.failure(answer, "preview the restore");
      const results = this.results(
        answer,
        batch.map((l) => l.jti),
        PREVIEW_STATUSES
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
      const answer = await send(call, this.transport);
      if (isUnsupported(answer)) return void 0;
      if (answer.status === 403) {
        throw new LicenseBackupError(
          "UNAUTHORIZED",
          `The license service at ${answer.url} refused to take licenses back (HTTP 403: ${problemDetail(answer) ?? "forbidden"}). They keep their slots; ask the service's operator to free them.`,
          { url: answer.url }
        );
      }
      if (answer.status !== 200) throw this.failure(answer, "release licenses");
      const results = this.results(answer, batch, RELEASE_STATUSES);
      for (const result of results) statuses.set(result.jti, result.status);
    }
    return statuses;
  }
  /** DELETE /v1/sessions/{id} (DISCONNECTING). A session already gone (404) counts as closed. */
  async closeSession(session) {
    this.emit({ type: "DISCONNECTING", url: this.url });
    const call = { method: "DELETE", url: `${this.url}/v1/sessions/${encodeURIComponent(session.id)}` };
    const answer = await send(call, this.transport);
    if (answer.status === 204 || answer.status === 200 || answer.status === 404) return;
    throw this.failure(answer, "close the session");
  }
  /** An answer's results, one per asked ID in the asked order, or SERVICE_ERROR. */
  results(answer, asked, statuses) {
    const body = this.json(answer);
    const wrong = resultsShapeError(body, statuses);
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
    try {
      await checkLicense(result.license, { jti, key_id, rights: asked.rights, machineId: session.machineId });
    } catch (error) {
      throw new LicenseBackupError(
        "SERVICE_ERROR",
        `The license service at ${answer.url} returned a license ${jti} (key ID ${key_id}) that fails its check: ${error.message}. Nothing was written; report this to the service's operator.`,
        { url: answer.url, licenseId: jti, keyId: key_id, cause: error }
      );
    }
    return { jti, key_id, status: "restored", license: result.license };
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
      `The license service at ${answer.url} gave an answer this tool cannot use (HTTP ${answer.status}): ${why}. Check that ${option("service.url")} points at a license-backup protocol v1 service.`,
      { url: answer.url }
    );
  }
  /** Maps a final non-success answer to an error (ADR 0020). */
  failure(answer, action) {
    const detail = problemDetail(answer);
    const said = detail ? `: ${detail}` : "";
    const token = this.tokenEnv ? `the token in the environment variable ${this.tokenEnv}` : option("service.token");
    if (answer.status === 401) {
      return new LicenseBackupError(
        "UNAUTHORIZED",
        `The license service at ${answer.url} refused the credentials (HTTP 401${said}). Check ${token}.`,
        { url: answer.url }
      );
    }
    if (answer.status === 403) {
      return new LicenseBackupError(
        "UNAUTHORIZED",
        `The license service at ${answer.url} does not allow this token to ${action} (HTTP 403${said}). Use a token with restore access in ${token}.`,
        { url: answer.url }
      );
    }
    if (answer.status === 404) {
      return new LicenseBackupError(
        "SERVICE_ERROR",
        `The license service at ${answer.url} does not know this session (HTTP 404${said}); it may have expired. Run the restore again.`,
        { url: answer.url }
      );
    }
    return new LicenseBackupError(
      "SERVICE_ERROR",
      `The license service at ${answer.url} could not ${action} (HTTP ${answer.status}${said}).`,
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
      `${capitalized(option("service.url"))} "${url}" is not a URL; give the service's http(s) address.`
    );
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `${capitalized(option("service.url"))} "${url}" is not an http(s) URL.`
    );
  }
  if (parsed.username || parsed.password) {
    throw new LicenseBackupError(
      "CONFIG_INVALID",
      `${capitalized(option("service.url"))} must not carry credentials; give the token in ${option("service.token")}.`
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
      `No token for the license service at ${url}: ${where} is empty or unset.`,
      { url }
    );
  }
  if (!/^[\x21-\x7e]+$/.test(trimmed)) {
    throw new LicenseBackupError(
      "UNAUTHORIZED",
      `The token for the license service at ${url} (${where}) holds spaces or characters a bearer token cannot have.`,
      { url }
    );
  }
  return trimmed;
}

// src/engine/service/refusals.ts
function refusalCode(reason) {
  if (reason === "restore-limit") return "RESTORE_LIMIT";
  if (reason === "not-yours") return "UNAUTHORIZED";
  if (["revoked", "expired", "invalid-signature", "invalid-license"].includes(reason))
    return "INVALID_LICENSE";
  return "SERVICE_ERROR";
}
function refusalMessage(refused, title) {
  const which = title ? `"${title}" (key ID ${refused.key_id}, license ${refused.jti})` : `License ${refused.jti} (key ID ${refused.key_id})`;
  const see = refused.url ? ` See ${refused.url}` : "";
  switch (refused.reason) {
    case "restore-limit":
      return `${which} cannot be restored onto this machine: it is already on as many machines as its issuer allows.${see}`;
    case "revoked":
      return `${which} was revoked by its issuer and cannot be restored.${see}`;
    case "expired":
      return `${which} has expired and cannot be restored.${see}`;
    case "not-yours":
      return `${which} belongs to another account at the license service: restore it with a service token of the account it was issued to.${see}`;
    case "invalid-signature":
    case "invalid-license":
      return `${which} was not accepted by the license service (${refused.reason}): the backup holds a license its issuer did not sign.${see}`;
    default:
      return `${which} was refused by the license service (${refused.reason}).${see}`;
  }
}
function refusalEvent(refused, title) {
  if (!refused.url) return void 0;
  return {
    type: "ERROR_WITH_URL",
    code: refusalCode(refused.reason),
    message: refusalMessage(refused, title),
    url: refused.url,
    licenseId: refused.jti,
    keyId: refused.key_id
  };
}
function refusalError(refused, titleOf = () => void 0) {
  const first = refused[0];
  if (!first) throw new RangeError("refusalError needs at least one refusal");
  const limited = refused.find((r) => r.reason === "restore-limit");
  const code = limited ? "RESTORE_LIMIT" : refusalCode(first.reason);
  const lead = limited ?? first;
  const lines = refused.slice(0, 5).map((r) => refusalMessage(r, titleOf(r.key_id)));
  const more = refused.length > 5 ? ` And ${refused.length - 5} more.` : "";
  const message = refused.length === 1 ? `${lines[0]} Nothing was restored.` : `The license service refused ${refused.length} licenses; nothing was restored. ${lines.join(" ")}${more}`;
  return new LicenseBackupError(code, message, {
    licenseId: lead.jti,
    keyId: lead.key_id,
    ...lead.url ? { url: lead.url } : {}
  });
}

// src/engine/slots/service-link.ts
var ServiceLink = class {
  constructor(options) {
    this.options = options;
  }
  options;
  /** Licenses this run re-issued that the machine did not hold before: the slots the run took. */
  taken = [];
  client;
  session;
  v1 = false;
  get url() {
    return this.options.service.url;
  }
  /** The client and its session, opened on first use. */
  async open() {
    const { service, emit, signal, machine, individualize } = this.options;
    this.client ??= new ServiceClient({ ...service, listener: emit, ...signal ? { signal } : {} });
    this.session ??= await this.client.openSession(machine, individualize);
    return { client: this.client, session: this.session };
  }
  /** What a restore of these licenses would do; undefined from a v1 service. */
  async preview(licenses) {
    if (this.v1) return void 0;
    const { client, session } = await this.open();
    const outcomes = await client.preview(session, licenses);
    if (!outcomes) this.speaksV1();
    return outcomes;
  }
  /** Gives licenses back; undefined from a v1 service. */
  async release(jtis) {
    if (this.v1) return void 0;
    const { client, session } = await this.open();
    const statuses = await client.release(session, jtis);
    if (!statuses) this.speaksV1();
    return statuses;
  }
  /** Closes the session if one is open; a failure to close is not the run's. */
  async close() {
    const { client, session } = this;
    this.session = void 0;
    if (client && session) await client.closeSession(session).catch(() => {
    });
  }
  /**
   * After a failed or cancelled restore, gives back the slots it took, so a restore that committed nothing
   * uses none. Runs outside the run's signal (a cancelled run still gives back), in a session of its own
   * with no events, bounded to 15 s. When it cannot, a warning names the licenses that still hold a slot.
   */
  async giveBack() {
    if (this.taken.length === 0 || this.v1) return;
    const { service, machine, individualize, emit } = this.options;
    const client = new ServiceClient({
      ...service,
      deadlineMs: Math.min(service.deadlineMs ?? 15e3, 15e3)
    });
    let session;
    try {
      session = await client.openSession(machine, individualize);
      await client.release(session, this.taken);
      this.taken.length = 0;
    } catch (error) {
      emit({
        type: "WARNING",
        message: `The restore failed and could not give back the slots it took at ${this.url} (${error.message}). ${this.taken.length} license(s) still hold a slot of this machine: ${listed(this.taken)}. Run a release step for them, or ask the service's operator.`
      });
    } finally {
      if (session) await client.closeSession(session).catch(() => {
      });
    }
  }
  speaksV1() {
    this.v1 = true;
    this.options.emit({
      type: "WARNING",
      message: `The license service at ${this.url} speaks protocol v1: slots cannot be previewed or released, so a refusal shows only during the restore, and a restored license keeps its slot.`
    });
  }
};
function listed(ids) {
  const shown = ids.slice(0, 10).join(", ");
  return ids.length > 10 ? `${shown} and ${ids.length - 10} more` : shown;
}

export {
  emitter,
  isRetryableStatus,
  backoffDelay,
  parseRetryAfter,
  MAX_BATCH,
  refusalMessage,
  refusalEvent,
  refusalError,
  ServiceLink,
  listed
};
