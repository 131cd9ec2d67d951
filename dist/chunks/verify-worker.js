import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkBatch,
  keySlots,
  serve
} from "./chunk-JRGLC77N.js";
import "./chunk-HANBNIMK.js";
export {
  checkBatch,
  keySlots,
  serve
};
