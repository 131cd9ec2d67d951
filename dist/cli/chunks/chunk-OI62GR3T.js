#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/engine/slots/listed.ts
function listed(ids, count = ids.length) {
  const shown = ids.slice(0, 10).join(", ");
  return count > 10 ? `${shown} and ${count - 10} more` : shown;
}

export {
  listed
};
