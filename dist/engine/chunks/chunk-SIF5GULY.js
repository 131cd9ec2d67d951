import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  listed
} from "./chunk-Z6LEVCEF.js";
import {
  ServiceClient
} from "./chunk-IMGJIDO6.js";
import {
  compileGlob,
  warning
} from "./chunk-DFELDVRP.js";

// src/engine/slots/service-link.ts
var ServiceLink = class {
  constructor(options) {
    this.options = options;
  }
  options;
  client;
  session;
  v1 = false;
  get url() {
    return this.options.service.url;
  }
  /** The client and its session, opened on first use. */
  async open() {
    const { service, emit, signal, machine, individualize, leaseSeconds } = this.options;
    this.client ??= new ServiceClient({
      ...service,
      listener: emit,
      ...signal ? { signal } : {},
      ...leaseSeconds === void 0 ? {} : { leaseSeconds }
    });
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
  /** Counts the slots a batch took (licenses re-issued that the machine did not hold before). */
  took(jtis) {
    this.options.taken?.add(jtis);
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
    const { service, machine, individualize, emit, taken } = this.options;
    if (!taken || taken.size === 0 || this.v1) return;
    const client = new ServiceClient({
      ...service,
      deadlineMs: Math.min(service.deadlineMs ?? 15e3, 15e3)
    });
    let session;
    try {
      session = await client.openSession(machine, individualize);
      for await (const batch of taken.batches()) await client.release(session, batch);
      await taken.clear();
    } catch (error) {
      emit(
        warning(
          `The restore failed and could not give back the slots it took at ${this.url} (${error.message}). ${taken.size} license(s) still hold a slot of this machine: ${listed(taken.first, taken.size)}. Run a release step for them, or ask the service's operator.`
        )
      );
    } finally {
      if (session) await client.closeSession(session).catch(() => {
      });
    }
  }
  speaksV1() {
    this.v1 = true;
    this.options.emit(
      warning(
        `The license service at ${this.url} speaks protocol v1: slots cannot be previewed or released, so a refusal shows only during the restore, and a restored license keeps its slot.`
      )
    );
  }
};

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
  ServiceLink,
  includeFilter
};
