#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkBatch,
  keySlots,
  serve,
  serveReads
} from "./chunk-MEX7BJMO.js";
import "./chunk-4BIDEYEZ.js";
import "./chunk-2ZTQXNXN.js";
export {
  checkBatch,
  keySlots,
  serve,
  serveReads
};
