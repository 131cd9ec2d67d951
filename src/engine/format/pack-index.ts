import type { ManifestLicense, ManifestRestricted } from './manifest.js'
import { checkSchema, corruptBackup } from './manifest-schema.js'

/**
 * The index a v2 pack carries as its last member (ADR 0080): the per-license list (in the order of the
 * pack's members) and the restricted list that v1 kept in the plaintext manifest. Inside the pack, so an
 * encrypted backup's plaintext files show no license ID, key ID, path or title.
 */
export const INDEX_MEMBER = '.license-backup/index.json'

export interface PackIndex {
  licenses: ManifestLicense[]
  restricted: ManifestRestricted[]
}

/** The index's pieces come in runs of about this many characters. */
const CHUNK_CHARS = 64 * 1024

/**
 * The index's JSON text in pieces (a 100,000-license index is never one string): one entry a line, no
 * indentation, keys in a fixed order. Compact, because every byte of it is compressed (ADR 0081).
 */
export function* indexChunks(index: PackIndex): Generator<string> {
  yield* entryChunks(
    '{"licenses":[',
    index.licenses,
    l => [l.jti, l.key_id, l.path, l.sha256, l.size],
    LICENSE_KEYS
  )
  yield* entryChunks('],\n"restricted":[', index.restricted, r => [r.jti, r.key_id, r.title], RESTRICTED_KEYS)
  yield ']}\n'
}

const LICENSE_KEYS = ['jti', 'key_id', 'path', 'sha256', 'size'] as const
const RESTRICTED_KEYS = ['jti', 'key_id', 'title'] as const

function* entryChunks<T>(
  prefix: string,
  entries: readonly T[],
  values: (entry: T) => unknown[],
  keys: readonly string[]
): Generator<string> {
  let text = prefix
  for (const [i, entry] of entries.entries()) {
    const fields = values(entry)
      .map((value, k) => (value === undefined ? '' : `${JSON.stringify(keys[k])}:${JSON.stringify(value)}`))
      .filter(field => field !== '')
    text += `${i === 0 ? '\n' : ',\n'}{${fields.join(',')}}`
    if (text.length >= CHUNK_CHARS) {
      yield text
      text = ''
    }
  }
  yield text
}

/** Parses and checks the index member's bytes against the schema's index; BACKUP_CORRUPT naming `where`. */
export function parseIndex(data: Buffer, where: string): PackIndex {
  let value: unknown
  try {
    value = JSON.parse(data.toString('utf8'))
  } catch {
    throw corruptBackup(where, 'pack index', 'it is not JSON')
  }
  checkSchema(value, 'index', 'pack index', where)
  return value as PackIndex
}
