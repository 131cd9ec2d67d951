#!/usr/bin/env node
import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkBatch,
  keySlots,
  serve,
  servePack,
  serveReads
} from "./chunk-DTPRG4OV.js";
import "./chunk-7CCZE6Z5.js";
import "./chunk-JECPWAEP.js";
import "./chunk-2ZTQXNXN.js";
export {
  checkBatch,
  keySlots,
  serve,
  servePack,
  serveReads
};
