import schema from '../../../schema/manifest.schema.json' with { type: 'json' }
import { LicenseBackupError } from '../errors.js'
import { schemaPart, schemaProblem } from '../json-schema.js'
import { message } from '../message.js'

/**
 * A manifest (v1, v2) and a v2 pack's index are checked against `schema/manifest.schema.json`, the schema
 * published for anyone reading a backup (docs/format.md, ADR 0141). What a schema cannot say (v1's counts
 * against its lists, a v1 pattern that compiles) the parsers check after it.
 */
export type SchemaPart = 'v1' | 'v2' | 'index' | 'license' | 'summary' | 'restricted'

/** The BACKUP_CORRUPT error for `file`, which is not a valid `what`, with `problem` and what to do. */
export function corruptBackup(file: string, what: string, problem: string): LicenseBackupError {
  return new LicenseBackupError(
    'BACKUP_CORRUPT',
    message`${file} is not a valid ${what}: ${problem}. Restore from another backup: this one is damaged, or was not written by license-backup.`,
    { file }
  )
}

/** Throws BACKUP_CORRUPT naming `file` and the first field of `value` that the schema's `part` refuses. */
export function checkSchema(value: unknown, part: SchemaPart, what: string, file: string): void {
  const problem = schemaProblem(schemaPart(schema, part), value)
  if (problem) throw corruptBackup(file, what, problem)
}

/**
 * Why one entry of a list (`license`, `restricted`) or the licenses' summary is refused by the schema,
 * its field named from `place` (`licenses[3].sha256 …`); undefined when it passes. For the pack index
 * read an entry at a time (ADR 0130).
 */
export function entryProblem(
  part: 'license' | 'summary' | 'restricted',
  value: unknown,
  place: string
): string | undefined {
  const problem = schemaProblem(schemaPart(schema, part), value)
  if (problem === undefined) return undefined
  return problem.startsWith('it ') ? `${place}${problem.slice(2)}` : `${place}.${problem}`
}
