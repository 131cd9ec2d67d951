import { createHash } from 'node:crypto'
import type { LicenseBackupError } from '../errors.js'
import type { ManifestLicense, ManifestRestricted } from './manifest.js'
import { corruptBackup, entryProblem } from './manifest-schema.js'

/**
 * The index a v2 pack carries as its last member (ADR 0080): its licenses (in the order of the pack's
 * members) and the restricted list that v1 kept in the plaintext manifest. Inside the pack, so an
 * encrypted backup's plaintext files show no license ID, key ID, path or title.
 */
export const INDEX_MEMBER = '.license-backup/index.json'

/**
 * The licenses as a v2.1 index holds them (ADR 0225): how many, and one SHA-256 over every entry's
 * `indexEntryText` in pack order, in place of v2's line a license: the same check for 2 lines of text.
 */
export interface LicensesSummary {
  count: number
  sha256: string
}

/** The index's text (ADR 0225): the licenses' summary, then the restricted list, one entry a line. */
export function summaryIndexHead(licenses: LicensesSummary): string {
  return `{"licenses":{"count":${licenses.count},"sha256":${JSON.stringify(licenses.sha256)}},\n"restricted":[`
}
export const INDEX_TAIL = ']}\n'

/**
 * A license's entry as the index's digest and a restore's prints see it: every field, unambiguous. The
 * reader derives it from each member (its name, size, SHA-256 and license), the writer from what it packed.
 */
export function indexEntryText(entry: ManifestLicense): string {
  return `${JSON.stringify([entry.jti, entry.key_id, entry.path, entry.sha256, entry.size])}\n`
}

/** The summary of the licenses a writer packs, an entry at a time, in pack order. */
export class LicensesDigest {
  private readonly hash = createHash('sha256')
  count = 0

  add(entry: ManifestLicense): void {
    this.hash.update(indexEntryText(entry))
    this.count++
  }

  summary(): LicensesSummary {
    return { count: this.count, sha256: this.hash.digest('hex') }
  }
}

/** v2's index text (ADR 0080), still read: every license a line, then the restricted list. */
export const INDEX_HEAD = '{"licenses":['
export const INDEX_MIDDLE = '],\n"restricted":['

/** One license's line of a v2 index, with the separator before it: keys in a fixed order (ADR 0081). */
export function licenseIndexLine(license: ManifestLicense, first: boolean): string {
  return `${first ? '\n' : ',\n'}{"jti":${JSON.stringify(license.jti)},"key_id":${JSON.stringify(license.key_id)},"path":${JSON.stringify(license.path)},"sha256":${JSON.stringify(license.sha256)},"size":${license.size}}`
}

/** One restricted license's line of the index, as `licenseIndexLine`. */
export function restrictedIndexLine(entry: ManifestRestricted, first: boolean): string {
  const title = entry.title === undefined ? '' : `,"title":${JSON.stringify(entry.title)}`
  return `${first ? '\n' : ',\n'}{"jti":${JSON.stringify(entry.jti)},"key_id":${JSON.stringify(entry.key_id)}${title}}`
}

/** An index entry: a license (in pack order), the licenses' summary (v2.1), or a restricted license. */
export type IndexEntry =
  | { list: 'licenses'; entry: ManifestLicense }
  | { list: 'summary'; entry: LicensesSummary }
  | { list: 'restricted'; entry: ManifestRestricted }

/** An entry's JSON text longer than this is not an index entry. */
const MAX_ENTRY_BYTES = 64 * 1024

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d])
const QUOTE = 0x22
const BACKSLASH = 0x5c

type State = 'start' | 'key' | 'colon' | 'open' | 'first' | 'element' | 'next' | 'after' | 'end'

/**
 * Reads the index member as it streams (ADR 0130), never whole: a JSON object with the keys `licenses`
 * and `restricted`, each once and nothing else, any white space; `licenses` a list (v2) or a summary
 * object (v2.1, ADR 0225), `restricted` a list. Each entry's text is cut out at its closing brace and
 * parsed and checked on its own. BACKUP_CORRUPT naming `where`.
 */
export class IndexParser {
  private state: State = 'start'
  private list: 'licenses' | 'restricted' | undefined
  /** Whether the entry being cut out is the licenses' summary rather than a list's entry. */
  private summary = false
  private readonly lists = new Set<string>()
  /** The text of the key or entry being cut out, and where its brace depth and strings stand. */
  private pieces: Buffer[] = []
  private pieceBytes = 0
  private depth = 0
  private inString = false
  private escaped = false
  /** Entries of each list so far, for the place an error names. */
  private licenses = 0
  private restricted = 0

  constructor(private readonly where: string) {}

  /** The entries completed by `chunk`. */
  push(chunk: Buffer): IndexEntry[] {
    const out: IndexEntry[] = []
    let from = -1
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!
      if (this.state === 'element' || this.state === 'key') {
        if (from < 0) from = i
        if (!this.scan(byte)) continue
        this.take(chunk.subarray(from, i + 1))
        from = -1
        const text = this.cut()
        if (this.state === 'key') this.startList(text)
        else {
          out.push(this.entry(text))
          this.state = this.summary ? 'after' : 'next'
          this.summary = false
        }
        continue
      }
      if (SPACE.has(byte)) continue
      if (!this.structural(byte)) continue
      // The byte opened an entry: it is the entry's first.
      from = i
      this.scan(byte)
    }
    if (from >= 0) this.take(chunk.subarray(from))
    return out
  }

  /** Checks that the index ended whole. */
  end(): void {
    if (this.state !== 'end') throw this.corrupt('it is cut short or not a JSON object')
    if (!this.lists.has('licenses')) throw this.corrupt('licenses is not a list')
    if (!this.lists.has('restricted')) throw this.corrupt('restricted is not a list')
  }

  /** Moves on by one byte outside keys and entries; true when the byte is an entry's first. */
  private structural(byte: number): boolean {
    const expect = (want: string, next: State): false => {
      if (byte !== want.charCodeAt(0))
        throw this.corrupt(`it has ${JSON.stringify(String.fromCharCode(byte))} where ${want} belongs`)
      this.state = next
      return false
    }
    switch (this.state) {
      case 'start':
        return expect('{', 'key')
      case 'colon':
        return expect(':', 'open')
      case 'open':
        if (this.list !== 'licenses' || byte !== 0x7b) return expect('[', 'first')
        this.summary = true
        this.state = 'element'
        return true
      case 'first':
        this.state = byte === 0x5d ? 'after' : 'element'
        return this.state === 'element'
      case 'next':
        if (byte !== 0x5d) return expect(',', 'element')
        this.state = 'after'
        return false
      case 'after':
        if (byte !== 0x7d) return expect(',', 'key')
        this.state = 'end'
        return false
      default:
        throw this.corrupt('it has data after its end')
    }
  }

  /** Follows one byte of a key or entry; true when it is complete. */
  private scan(byte: number): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false
      else if (byte === BACKSLASH) this.escaped = true
      else if (byte === QUOTE) {
        this.inString = false
        return this.depth === 0
      }
      return false
    }
    if (byte === QUOTE) this.inString = true
    else if (byte === 0x7b || byte === 0x5b) this.depth++
    else if (byte === 0x7d || byte === 0x5d) {
      if (--this.depth < 0) throw this.corrupt(`it has ${String.fromCharCode(byte)} where an entry belongs`)
      return this.depth === 0
    } else if (this.depth === 0 && !SPACE.has(byte)) throw this.corrupt('an entry is not a JSON object')
    return false
  }

  private take(piece: Buffer): void {
    this.pieceBytes += piece.length
    if (this.pieceBytes > MAX_ENTRY_BYTES) throw this.corrupt(`an entry is over ${MAX_ENTRY_BYTES} bytes`)
    this.pieces.push(Buffer.from(piece))
  }

  private cut(): string {
    const text = Buffer.concat(this.pieces, this.pieceBytes).toString('utf8')
    this.pieces = []
    this.pieceBytes = 0
    return text
  }

  private startList(keyText: string): void {
    let key: unknown
    try {
      key = JSON.parse(keyText)
    } catch {
      throw this.corrupt('it is not JSON')
    }
    if ((key !== 'licenses' && key !== 'restricted') || this.lists.has(key))
      throw this.corrupt(`it has the key ${JSON.stringify(key)} (only licenses and restricted, once each)`)
    this.lists.add(key)
    this.list = key
    this.state = 'colon'
  }

  /** An entry's text parsed and checked against the schema's entry of its list (ADR 0141). */
  private entry(text: string): IndexEntry {
    let value: unknown
    try {
      value = JSON.parse(text)
    } catch {
      throw this.corrupt('it is not JSON')
    }
    if (this.summary) {
      const problem = entryProblem('summary', value, 'licenses')
      if (problem) throw this.corrupt(problem)
      return { list: 'summary', entry: value as LicensesSummary }
    }
    const list = this.list!
    const at = list === 'licenses' ? this.licenses++ : this.restricted++
    const problem = entryProblem(list === 'licenses' ? 'license' : 'restricted', value, `${list}[${at}]`)
    if (problem) throw this.corrupt(problem)
    return list === 'licenses'
      ? { list, entry: value as ManifestLicense }
      : { list, entry: value as ManifestRestricted }
  }

  private corrupt(problem: string): LicenseBackupError {
    return corruptBackup(this.where, 'pack index', problem)
  }
}

/**
 * The index, whole: for small indexes and tests; a restore streams it (`IndexParser`). A v2.1 index
 * has the licenses' `summary` and no `licenses` entries.
 */
export interface PackIndex {
  licenses: ManifestLicense[]
  summary?: LicensesSummary
  restricted: ManifestRestricted[]
}

/** Parses and checks a whole index member's bytes; BACKUP_CORRUPT naming `where`. */
export function parseIndex(data: Buffer, where: string): PackIndex {
  const parser = new IndexParser(where)
  const index: PackIndex = { licenses: [], restricted: [] }
  for (const item of parser.push(data)) {
    if (item.list === 'licenses') index.licenses.push(item.entry)
    else if (item.list === 'summary') index.summary = item.entry
    else index.restricted.push(item.entry)
  }
  parser.end()
  return index
}
