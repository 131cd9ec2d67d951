import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  checkBatch,
  checkSignature,
  keySlots,
  serve
} from "./chunk-ELWBJQ7L.js";
import "./chunk-HANBNIMK.js";
export {
  checkBatch,
  checkSignature,
  keySlots,
  serve
};
