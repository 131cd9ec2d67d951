import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);
import {
  Decrypter,
  Encrypter,
  Stanza,
  armor_exports,
  generateHybridIdentity,
  generateIdentity,
  generateX25519Identity,
  identityToRecipient,
  webauthn_exports
} from "./chunk-YPE73IZF.js";
import "./chunk-HANBNIMK.js";
export {
  Decrypter,
  Encrypter,
  Stanza,
  armor_exports as armor,
  generateHybridIdentity,
  generateIdentity,
  generateX25519Identity,
  identityToRecipient,
  webauthn_exports as webauthn
};
