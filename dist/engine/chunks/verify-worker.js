import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkBatch,
  keySlots,
  serve
} from "./chunk-JRGLC77N.js";
import "./chunk-SDZ6GJJ3.js";
export {
  checkBatch,
  keySlots,
  serve
};
