#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkBatch,
  keySlots,
  serve
} from "./chunk-NMG2MAHX.js";
import "./chunk-2ZTQXNXN.js";
export {
  checkBatch,
  keySlots,
  serve
};
