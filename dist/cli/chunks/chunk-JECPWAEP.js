#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/engine/options.ts
var ENGINE_OPTIONS = [
  "store",
  "pattern",
  "catalog",
  "trust",
  "trust.jwksFile",
  "overwrite",
  "encryptTo",
  "individualize",
  "ageIdentity",
  "machineKey",
  "include",
  "jtis",
  "onRefused",
  "lease",
  "service.url",
  "service.token",
  "signers",
  "rollBackInterrupted"
];
function option(name) {
  return notText({ option: name, ask: "name" });
}
function turnOn(name) {
  return notText({ option: name, ask: "turn-on" });
}
function capitalized(mention) {
  return notText({ ...mention, capital: true });
}
function notText(structure) {
  return Object.defineProperty(structure, "toString", {
    value: () => {
      throw new TypeError("An engine message part was put into a plain string: build it with message`\u2026`.");
    }
  });
}
var ENGINE_WORDS = Object.fromEntries(
  ENGINE_OPTIONS.map((name) => [name, { name: `the \`${name}\` option` }])
);
function mentionIn(mention, words) {
  const entry = words[mention.option];
  const phrase2 = mention.ask === "turn-on" ? entry.turnOn ?? `turn on ${entry.name}` : entry.name;
  return mention.capital ? phrase2.charAt(0).toUpperCase() + phrase2.slice(1) : phrase2;
}

// src/engine/message.ts
function message(strings, ...holes) {
  const parts = [];
  const text = (s) => {
    if (s) parts.push({ text: s });
  };
  text(strings[0]);
  holes.forEach((hole, i) => {
    if (typeof hole === "string" || typeof hole === "number") {
      if (hole !== "") parts.push({ value: String(hole) });
    } else if ("parts" in hole) parts.push(...hole.parts);
    else parts.push(hole);
    text(strings[i + 1]);
  });
  return notText({ parts });
}
function prose(text) {
  return notText({ parts: [{ text }] });
}
function phrase(text, words, value = (v) => v) {
  return text.parts.map((part) => "text" in part ? part.text : "value" in part ? value(part.value) : mentionIn(part, words)).join("");
}
function optionsOf(text) {
  return [...new Set(text.parts.flatMap((part) => "option" in part ? [part.option] : []))];
}
function valuesOf(text) {
  return text.parts.flatMap((part) => "value" in part ? [part.value] : []);
}

// src/engine/errors.ts
var LicenseBackupError = class extends Error {
  code;
  subject;
  /** The message as structure, for a host to phrase (the error is itself an EngineMessage). */
  parts;
  /** The engine options the message mentions (what to change), each once. */
  options;
  /** The values the message interpolates: outside text a host neutralises. */
  values;
  constructor(code, message2, details = {}) {
    const { cause, ...subject } = details;
    const text = typeof message2 === "string" ? prose(message2) : message2;
    super(phrase(text, ENGINE_WORDS), cause === void 0 ? void 0 : { cause });
    this.name = "LicenseBackupError";
    this.code = code;
    this.subject = subject;
    this.parts = text.parts;
    this.options = optionsOf(text);
    this.values = valuesOf(text);
  }
};
function isLicenseBackupError(error) {
  return error instanceof LicenseBackupError;
}
function cancelled(operation) {
  return new LicenseBackupError("CANCELLED", message`The ${operation} was cancelled; nothing was changed.`);
}
function throwIfAborted(signal, operation) {
  if (signal?.aborted) throw cancelled(operation);
}
function errnoOf(error) {
  const code = error?.code;
  return typeof code === "string" && /^E[A-Z0-9]+$/.test(code) ? code : void 0;
}
function asEngineError(error, ioError, state) {
  if (error instanceof LicenseBackupError) return error;
  const code = errnoOf(error);
  if (code !== void 0) return ioError(code);
  return internalError(error, state);
}
function internalError(error, state) {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new LicenseBackupError(
    "INTERNAL_ERROR",
    message`An unexpected error stopped the run (${what}): a bug in license-backup. Please report it with the debug log, which holds its stack.${state ? ` ${state}` : ""}`,
    { cause: error }
  );
}

export {
  option,
  turnOn,
  capitalized,
  ENGINE_WORDS,
  message,
  prose,
  phrase,
  LicenseBackupError,
  isLicenseBackupError,
  cancelled,
  throwIfAborted,
  asEngineError
};
