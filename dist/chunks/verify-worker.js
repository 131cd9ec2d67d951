import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkBatch,
  keySlots,
  serve,
  servePack,
  serveReads
} from "./chunk-ZZHPWDHJ.js";
import "./chunk-6OPT7FQ4.js";
import "./chunk-IWX2DKNH.js";
import "./chunk-HANBNIMK.js";
export {
  checkBatch,
  keySlots,
  serve,
  servePack,
  serveReads
};
