import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);

// src/engine/io/input-file.ts
import { constants } from "node:fs";
import { open } from "node:fs/promises";
var InputFileError = class extends Error {
  constructor(file, reason, code, cause) {
    super(`${file} ${reason}`, cause === void 0 ? void 0 : { cause });
    this.file = file;
    this.reason = reason;
    this.code = code;
    this.name = "InputFileError";
  }
  file;
  reason;
  code;
};
var READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);
async function openInputFile(file, options = {}) {
  let handle;
  try {
    handle = await open(file, READ_FLAGS | (options.noFollow ? constants.O_NOFOLLOW : 0));
  } catch (error) {
    throw openFailure(file, error, options);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new InputFileError(file, `is ${kindOf(stats)}, not a regular file`);
    if (options.maxBytes !== void 0 && stats.size > options.maxBytes) {
      throw new InputFileError(file, `is ${stats.size} bytes, over the ${options.maxBytes}-byte limit`);
    }
    return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
}
async function readInputFile(file, options = {}) {
  const { handle } = await openInputFile(file, options);
  try {
    return await handle.readFile("utf8");
  } catch (error) {
    throw openFailure(file, error, options);
  } finally {
    await handle.close();
  }
}
function openFailure(file, error, options) {
  const code = error.code;
  if (typeof code !== "string") return error;
  if (code === "ENOENT") return new InputFileError(file, "does not exist", code, error);
  if (code === "ELOOP" && options.noFollow) return new InputFileError(file, "is a symbolic link", code, error);
  if (code === "EACCES" || code === "EPERM")
    return new InputFileError(file, `cannot be read (${code}: no permission)`, code, error);
  return new InputFileError(file, `cannot be read (${code})`, code, error);
}
function kindOf(stats) {
  if (stats.isFIFO()) return "a FIFO (named pipe)";
  if (stats.isDirectory()) return "a folder";
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return "a device";
  if (stats.isSocket()) return "a socket";
  return "not a regular file";
}

export {
  InputFileError,
  openInputFile,
  readInputFile
};
