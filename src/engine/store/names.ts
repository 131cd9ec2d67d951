import { caseFold } from 'unicode-case-folding'

/**
 * The one name rule of a store (docs/names.md, ADR 0062), used by the store walk, the backup and the restore alike:
 * which store-relative paths may name a license file, and when two names are the same name. File systems
 * that fold case (APFS, NTFS), normalise Unicode (APFS) or ignore invisible characters treat names as the
 * same that differ byte for byte; a name is compared by its key, never by its bytes.
 */

/** The store's own folder (lock, machine key, restore staging): never a license, never backed up. */
export const STATE_DIR = '.license-backup'

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/
const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu
/** C0 controls, DEL and C1 controls. */
const CONTROL = /\p{Cc}/u
/** Windows device names, reserved in every folder and with any extension (`CON.jwt`, `nul.tar.gz`). */
const RESERVED = /^(?:con|prn|aux|nul|conin\$|conout\$|com[0-9¹²³]|lpt[0-9¹²³])$/
/** The base of a Windows 8.3 short name: `LICENS~1`, `AB~12`. */
const SHORT_BASE = /^[^~]+~[0-9]+$/

/**
 * The key two names are compared by: default-ignorable code points stripped, Unicode full case folding
 * (CaseFolding.txt C+F) of the upper-cased name, in NFC. Upper-casing first also folds the dotless `ı`
 * with `i` (Windows' upper-case table does; C+F does not). Idempotent: the key of a key is itself.
 */
export function nameKey(name: string): string {
  // Most names are printable ASCII, where the key is the lower-case name: no normalisation, no tables.
  if (PRINTABLE_ASCII.test(name)) return name.toLowerCase()
  const visible = name.normalize('NFD').replace(DEFAULT_IGNORABLE, '')
  return caseFold(visible.toUpperCase()).normalize('NFC')
}

const STATE_KEY = nameKey(STATE_DIR)

/**
 * Why `path` (store-relative, `/`-separated) may not name a license file, as a phrase that follows the
 * name ("… has a colon in its name"), or undefined when it may.
 */
export function pathProblem(path: string): string | undefined {
  if (path.length === 0) return 'has an empty name'
  if (path.startsWith('/')) return 'has an absolute name'
  if (path.includes('\\')) return 'has a backslash in its name'
  if (CONTROL.test(path)) return 'has a control character in its name'
  const segments = path.split('/')
  if (segments.some(s => s === '..')) return 'has a `..` in its name (it would escape the store)'
  if (segments.some(s => s === '' || s === '.')) return 'has an empty or `.` segment in its name'
  if (isStateDirName(segments[0]!)) {
    return `is inside the store's own ${STATE_DIR} folder (${JSON.stringify(segments[0])} is the same name on some file systems)`
  }
  for (const segment of segments) {
    const problem = segmentProblem(segment)
    if (problem) return `${problem} (${JSON.stringify(segment)})`
  }
  return undefined
}

/**
 * `pathProblem` of a path whose folder passes it (every segment but the last, `name`; none at the store's
 * root), from its last segment alone: the same phrase, without checking the folder again for each of
 * its files (the store walk checks a folder once).
 */
export function lastSegmentProblem(name: string, atRoot: boolean): string | undefined {
  if (name.length === 0) return atRoot ? 'has an empty name' : 'has an empty or `.` segment in its name'
  if (name.includes('\\')) return 'has a backslash in its name'
  if (CONTROL.test(name)) return 'has a control character in its name'
  if (name === '..') return 'has a `..` in its name (it would escape the store)'
  if (name === '.') return 'has an empty or `.` segment in its name'
  if (atRoot && isStateDirName(name)) {
    return `is inside the store's own ${STATE_DIR} folder (${JSON.stringify(name)} is the same name on some file systems)`
  }
  const problem = segmentProblem(name)
  return problem ? `${problem} (${JSON.stringify(name)})` : undefined
}

/** `name`, at the store's root, is the state folder under some spelling a file system treats as it. */
export function isStateDirName(name: string): boolean {
  return nameKey(withoutTrailingDotsAndSpaces(name)) === STATE_KEY
}

/** By a loop from the end: a regex `/[. ]+$/` backtracks quadratically over a long run of dots. */
function withoutTrailingDotsAndSpaces(name: string): string {
  let end = name.length
  while (end > 0 && (name[end - 1] === '.' || name[end - 1] === ' ')) end--
  return name.slice(0, end)
}

/** The longest name most file systems take: 255 bytes (ext4, APFS) and 255 UTF-16 units (NTFS). */
const MAX_SEGMENT = 255

function segmentProblem(segment: string): string | undefined {
  if (segment.length > MAX_SEGMENT / 3 && Buffer.byteLength(segment) > MAX_SEGMENT) {
    return `has a name longer than ${MAX_SEGMENT} bytes, more than file systems take`
  }
  if (segment.includes(':')) return 'has a colon in its name, which names a stream on Windows'
  if (segment.endsWith('.') || segment.endsWith(' ')) {
    return 'has a name ending in a dot or a space, which Windows drops'
  }
  const dot = segment.indexOf('.')
  const base = dot < 0 ? segment : segment.slice(0, dot)
  if (isDeviceName(base)) return 'has a name Windows reserves for a device'
  const extension = dot < 0 ? '' : segment.slice(dot + 1)
  if (isShortName(base, extension)) {
    return 'has the shape of a Windows 8.3 short name, which may name another file'
  }
  return undefined
}

function isDeviceName(base: string): boolean {
  const trimmed = withoutTrailingDotsAndSpaces(base)
  // Device names have 3 to 7 characters: a longer ASCII base cannot be one (others may, through ignorables).
  if (trimmed.length > 7 && PRINTABLE_ASCII.test(trimmed)) return false
  return RESERVED.test(nameKey(trimmed))
}

function isShortName(base: string, extension: string): boolean {
  return base.length <= 8 && extension.length <= 3 && !extension.includes('.') && SHORT_BASE.test(base)
}
