import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkBatch,
  keySlots,
  serve
} from "./chunk-6MPOFVWC.js";
import "./chunk-HANBNIMK.js";
export {
  checkBatch,
  keySlots,
  serve
};
