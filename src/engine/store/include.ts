import { compileGlob } from './glob.js'

/** Which licenses an `include` list names: each entry is a license ID, a key ID or a path pattern. */
export type IncludeFilter = (license: { jti: string; keyId: string; path: string }) => boolean

/**
 * The filter of `include: [pattern | key ID | jti, …]` (protocol v1.1 partial restore and release).
 * An entry is compared as it is with the license ID and the key ID, and as a store glob with the path
 * when it is one (it holds `/`, `*` or `?`, or ends in `.jwt`). Undefined or empty: everything.
 */
export function includeFilter(include: readonly string[] | undefined): IncludeFilter {
  if (!include || include.length === 0) return () => true
  const ids = new Set(include)
  const globs = include.filter(isPattern).map(compileGlob)
  return ({ jti, keyId, path }) => ids.has(jti) || ids.has(keyId) || globs.some(glob => glob.test(path))
}

function isPattern(entry: string): boolean {
  return /[/*?]/.test(entry) || entry.endsWith('.jwt')
}
