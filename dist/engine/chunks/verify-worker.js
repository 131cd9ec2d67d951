import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkBatch,
  keySlots,
  serve,
  servePack,
  serveReads
} from "./chunk-5UUIPE2L.js";
import "./chunk-6OPT7FQ4.js";
import "./chunk-GIVEWNVR.js";
import "./chunk-SDZ6GJJ3.js";
export {
  checkBatch,
  keySlots,
  serve,
  servePack,
  serveReads
};
