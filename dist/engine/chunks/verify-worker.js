import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkBatch,
  keySlots,
  serve,
  serveReads
} from "./chunk-6SUQOGYN.js";
import "./chunk-LTTOI6W3.js";
import "./chunk-SDZ6GJJ3.js";
export {
  checkBatch,
  keySlots,
  serve,
  serveReads
};
