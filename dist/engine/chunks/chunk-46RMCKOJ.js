import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// package.json
var package_default = { version: "0.1.0" };

// src/engine/version.ts
var TOOL = { name: "license-backup", version: package_default.version };

export {
  TOOL
};
