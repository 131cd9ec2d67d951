#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  ENCRYPTED_PACK_FILE,
  PACK_FILE,
  PACK_FILES_V2
} from "./chunk-RAQQYTCA.js";

// src/engine/restore/manifest-bounds.ts
import { lstat } from "node:fs/promises";
import { join } from "node:path";
var MANIFEST_BYTES_PER_PACK_BYTE = 8;
var MAX_MANIFEST_BYTES = 512 * 1024 * 1024;
var MANIFEST_ALLOWANCE_BYTES = 32 * 1024 * 1024;
var TAR_BLOCK = 512;
var PACK_NAMES = [PACK_FILE, ENCRYPTED_PACK_FILE, ...PACK_FILES_V2];
function manifestByteLimit(packBytes) {
  return MANIFEST_ALLOWANCE_BYTES + MANIFEST_BYTES_PER_PACK_BYTE * packBytes;
}
async function largestPackSize(path) {
  let largest = 0;
  for (const name of PACK_NAMES) {
    const info = await lstat(join(path, name)).catch(() => void 0);
    if (info?.isFile()) largest = Math.max(largest, info.size);
  }
  return largest;
}
function membersBeyondPack(manifest, packBytes) {
  const count = manifest.licenses.length;
  if (count * TAR_BLOCK <= packBytes) return void 0;
  return `its manifest lists ${count} licenses, which cannot fit in its ${packBytes}-byte pack ${manifest.pack.file} (each takes at least ${TAR_BLOCK} bytes)`;
}

export {
  MAX_MANIFEST_BYTES,
  manifestByteLimit,
  largestPackSize,
  membersBeyondPack
};
