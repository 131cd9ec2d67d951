#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/engine/slots/listed.ts
function listed(ids) {
  const shown = ids.slice(0, 10).join(", ");
  return ids.length > 10 ? `${shown} and ${ids.length - 10} more` : shown;
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
  listed,
  DEFAULT_RETRY,
  isRetryableStatus,
  backoffDelay,
  parseRetryAfter
};
