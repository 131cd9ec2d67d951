import { lstat } from 'node:fs/promises'
import { join } from 'node:path'
import { ENCRYPTED_PACK_FILE, PACK_FILE, type Manifest } from '../format/manifest.js'
import { PACK_FILES_V2 } from '../format/manifest-v2-names.js'

/**
 * The work a hostile manifest can cause is bounded by the pack beside it, what is real, not by the caps
 * alone (ADR 0068). Every license entry stands for a member of the pack: its path is in the member's
 * header and its jti and key ID in the member's data, so an entry's JSON is at most a few times the
 * bytes its member takes (6 bytes per character with `\u` escapes, plus about 130 bytes of fixed text
 * against a member of at least 1,024). The manifest's head and its restricted list have no counterpart
 * in the pack: a fixed allowance covers them.
 */
export const MANIFEST_BYTES_PER_PACK_BYTE = 8
/** A manifest (or a v2 pack's index) over this is refused before it is read, whatever the pack. */
export const MAX_MANIFEST_BYTES = 512 * 1024 * 1024
/** The manifest's head and its restricted list: about 200,000 restricted licenses with short titles. */
export const MANIFEST_ALLOWANCE_BYTES = 32 * 1024 * 1024

const TAR_BLOCK = 512
/** The pack names a manifest may give: the pack, whichever it is, is one of these. */
const PACK_NAMES = [PACK_FILE, ENCRYPTED_PACK_FILE, ...PACK_FILES_V2]

/** The largest manifest a pack of `packBytes` can justify. */
export function manifestByteLimit(packBytes: number): number {
  return MANIFEST_ALLOWANCE_BYTES + MANIFEST_BYTES_PER_PACK_BYTE * packBytes
}

/**
 * The size of the largest regular file in `path` that a manifest may name as its pack, 0 when there is
 * none (the manifest then gets the allowance alone, and the pack check names what is wrong): read
 * before the manifest, so the manifest's size is judged before it is read.
 */
export async function largestPackSize(path: string): Promise<number> {
  let largest = 0
  for (const name of PACK_NAMES) {
    const info = await lstat(join(path, name)).catch(() => undefined)
    if (info?.isFile()) largest = Math.max(largest, info.size)
  }
  return largest
}

/**
 * Why the members the manifest lists cannot all be in its pack, or undefined when they can: each takes
 * at least a 512-byte tar header, and encryption only adds bytes. Checked before the pack is hashed or
 * opened, so the work a manifest asks for (an entry per license, checks per member) stays in
 * proportion to the pack.
 */
export function membersBeyondPack(manifest: Manifest, packBytes: number): string | undefined {
  const count = manifest.licenses.length
  if (count * TAR_BLOCK <= packBytes) return undefined
  return `its manifest lists ${count} licenses, which cannot fit in its ${packBytes}-byte pack ${manifest.pack.file} (each takes at least ${TAR_BLOCK} bytes)`
}
