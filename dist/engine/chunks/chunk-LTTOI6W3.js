import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/engine/io/platform.ts
import { execFile } from "node:child_process";
import { userInfo } from "node:os";
function canSyncDirectory(os = process.platform) {
  return os !== "win32";
}
function canSyncFileSystem(os = process.platform) {
  return os === "linux";
}
function flushOpenFlags(os = process.platform) {
  return os === "win32" ? "r+" : "r";
}
function foldsCase(os = process.platform) {
  return os === "win32" || os === "darwin";
}
function openFollowsLinks(os = process.platform) {
  return os === "win32";
}
function ownerOnlyCommand(file, os = process.platform, user = userInfo().username) {
  if (os !== "win32") return void 0;
  return { command: "icacls", args: [file, "/inheritance:r", "/grant:r", `${user}:F`] };
}
async function restrictToOwner(file, os = process.platform) {
  const restrict = ownerOnlyCommand(file, os);
  if (!restrict) return;
  await new Promise((resolve, reject) => {
    execFile(restrict.command, restrict.args, { windowsHide: true }, (error, _stdout, stderr) => {
      if (error === null) return resolve();
      const why = stderr.trim() || error.message;
      reject(
        Object.assign(new Error(`${restrict.command} could not restrict ${file} to its owner: ${why}`), {
          code: "EACCES"
        })
      );
    });
  });
}

// src/engine/licenses/parse-license.ts
var LICENSE_ALGORITHMS = ["Ed25519", "EdDSA", "ES256"];
var BASE64URL = /^[A-Za-z0-9_-]*$/;
var Invalid = class extends Error {
  found;
  // No parameter property: a read pool's thread runs this file by stripping its types (ADR 0217).
  constructor(found) {
    super(found.problem);
    this.found = found;
  }
};
function invalid(problem, ids = {}) {
  throw new Invalid({ problem, ...ids });
}
function readLicenseText(text, file) {
  try {
    return parseOrThrow(text, file);
  } catch (error) {
    if (error instanceof Invalid) return error.found;
    throw error;
  }
}
function parseOrThrow(text, file) {
  const compact = text.trim();
  const parts = compact.split(".");
  if (parts.length !== 3 || parts.some((part) => part.length === 0)) {
    invalid("it is not a compact JWS (three base64url parts separated by dots)");
  }
  const [headerPart, payloadPart, signaturePart] = parts;
  checkBase64url(headerPart, "header");
  checkBase64url(payloadPart, "payload");
  checkBase64url(signaturePart, "signature");
  const header = checkedHeader(headerPart);
  const claims = decodeJsonObject(payloadPart, "payload");
  const problem = claimProblem(claims);
  if (problem) {
    invalid(problem, {
      ...typeof claims["key_id"] === "string" ? { keyId: claims["key_id"] } : {},
      ...typeof claims["jti"] === "string" ? { licenseId: claims["jti"] } : {}
    });
  }
  const checked = claims;
  return {
    file,
    text: compact,
    header,
    claims: checked,
    jti: checked.jti,
    keyId: checked.key_id,
    restricted: checked.rights["backup"] !== true
  };
}
function checkBase64url(part, what) {
  if (!BASE64URL.test(part) || part.length % 4 === 1) invalid(`its ${what} is not base64url`);
}
var headers = /* @__PURE__ */ new Map();
var MAX_CACHED_HEADERS = 256;
function checkedHeader(headerPart) {
  const cached = headers.get(headerPart);
  if (cached !== void 0) return cached;
  const header = decodeJsonObject(headerPart, "header");
  const alg = header["alg"];
  if (typeof alg !== "string" || !LICENSE_ALGORITHMS.includes(alg)) {
    invalid(`its header alg ${describe(alg)} is not one of ${LICENSE_ALGORITHMS.join(", ")}`);
  }
  const kid = header["kid"];
  if (typeof kid !== "string" || kid.length === 0) invalid("its header has no kid (signing key ID)");
  if (headers.size >= MAX_CACHED_HEADERS) headers.clear();
  const checked = Object.freeze(header);
  headers.set(headerPart, checked);
  return checked;
}
function claimProblem(claims) {
  if (!nonEmptyString(claims["jti"])) return "its jti (license ID) claim is missing or not a string";
  if (!nonEmptyString(claims["key_id"])) return "its key_id (content key ID) claim is missing or not a string";
  const iss = claims["iss"];
  if (!nonEmptyString(iss) || !URL.canParse(iss)) return "its iss (issuer) claim is missing or not a URL";
  if (!finiteNumber(claims["iat"])) return "its iat (issued at) claim is missing or not a number";
  for (const name of ["nbf", "exp"]) {
    if (claims[name] !== void 0 && !finiteNumber(claims[name])) return `its ${name} claim is not a number`;
  }
  if (claims["sub"] !== void 0 && typeof claims["sub"] !== "string") return "its sub claim is not a string";
  if (!isObject(claims["rights"])) return "its rights claim is missing or not an object";
  const backup = claims["rights"]["backup"];
  if (backup !== void 0 && typeof backup !== "boolean") return "its rights.backup is not a boolean";
  const cnf = claims["cnf"];
  if (cnf !== void 0) {
    if (!isObject(cnf)) return "its cnf claim is not an object";
    if (cnf["jkt"] !== void 0 && !nonEmptyString(cnf["jkt"])) return "its cnf.jkt is not a string";
  }
  return leaseProblem(claims["lease"]);
}
function leaseProblem(lease) {
  if (lease === void 0) return void 0;
  if (!isObject(lease)) return "its lease claim is not an object";
  const end = lease["license_exp"];
  if (end !== void 0 && !finiteNumber(end)) return "its lease.license_exp is not a number";
  return void 0;
}
function decodeJsonObject(part, what) {
  let value;
  try {
    value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
  } catch {
    invalid(`its ${what} is not base64url-encoded JSON`);
  }
  if (!isObject(value)) invalid(`its ${what} is not a JSON object`);
  return value;
}
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function nonEmptyString(value) {
  return typeof value === "string" && value.length > 0;
}
function finiteNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}
function describe(value) {
  return typeof value === "string" ? JSON.stringify(value.slice(0, 32)) : String(typeof value);
}

// src/engine/store/read-file.ts
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync } from "node:fs";
var MAX_LICENSE_BYTES = 1024 * 1024;
var nodeFileSystem = { openSync };
var OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
function readLicenseInto(path, room, fileSystem = nodeFileSystem) {
  let fd;
  try {
    fd = fileSystem.openSync(path, OPEN_FLAGS);
  } catch (error) {
    return unreadable(error);
  }
  try {
    if (openFollowsLinks() && isLink(path)) return { failure: "unreadable", code: "ELOOP" };
    const info = fstatSync(fd);
    if (!info.isFile()) return { failure: "not-a-file" };
    if (info.size > MAX_LICENSE_BYTES) return { failure: "too-big", size: info.size };
    const { buffer, offset } = room(info.size + 1);
    const filled = readSync(fd, buffer, offset, info.size + 1, 0);
    return filled > info.size ? { failure: "grew", size: filled } : filled;
  } catch (error) {
    return unreadable(error);
  } finally {
    closeSync(fd);
  }
}
function unreadable(error) {
  return { failure: "unreadable", code: error.code ?? "error" };
}
function isLink(path) {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

export {
  canSyncDirectory,
  canSyncFileSystem,
  flushOpenFlags,
  foldsCase,
  restrictToOwner,
  readLicenseText,
  MAX_LICENSE_BYTES,
  nodeFileSystem,
  readLicenseInto
};
