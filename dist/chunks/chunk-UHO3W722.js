import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  compileGlob
} from "./chunk-WICTOM2Z.js";

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
  includeFilter
};
