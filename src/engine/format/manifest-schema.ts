import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'
import schema from '../../../schema/manifest.schema.json' with { type: 'json' }
import { LicenseBackupError } from '../errors.js'

/**
 * A manifest (v1, v2) and a v2 pack's index are checked against `schema/manifest.schema.json`, the schema
 * published for anyone reading a backup (docs/format.md). What a schema cannot say (v1's counts against its
 * lists, a v1 pattern that compiles) the parsers check after it.
 */
export type SchemaPart = 'v1' | 'v2' | 'index'

// The first error only (allErrors off): a hostile manifest of a million bad entries costs one error.
// strictTypes off: the if/then branches name properties without repeating `"type": "object"`.
const ajv = new Ajv2020({ verbose: true, strict: true, strictTypes: false, allowUnionTypes: true })
ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' })
// Written by toISOString(); read as Date.parse reads it.
ajv.addFormat('date-time', text => !Number.isNaN(Date.parse(text)))
ajv.addSchema(schema)

/** Each part is compiled the first time it is used. */
function validator(part: SchemaPart): ValidateFunction {
  const compiled = ajv.getSchema(`${schema.$id}#/$defs/${part}`)
  if (!compiled) throw new Error(`schema/manifest.schema.json has no $defs/${part}`)
  return compiled
}

/** The BACKUP_CORRUPT error for `file`, which is not a valid `what`, with `problem` and what to do. */
export function corruptBackup(file: string, what: string, problem: string): LicenseBackupError {
  return new LicenseBackupError(
    'BACKUP_CORRUPT',
    `${file} is not a valid ${what}: ${problem}. Restore from another backup: this one is damaged, or was not written by license-backup.`,
    { file }
  )
}

/** Throws BACKUP_CORRUPT naming `file` and the first field of `value` that the schema's `part` refuses. */
export function checkSchema(value: unknown, part: SchemaPart, what: string, file: string): void {
  const validate = validator(part)
  if (validate(value)) return
  const error = validate.errors?.[0]
  throw corruptBackup(file, what, error ? problemOf(error) : 'it does not match its schema')
}

function problemOf(error: ErrorObject): string {
  const field = fieldOf(error.instancePath)
  const subject = field === '' ? 'it' : field
  const own = error.parentSchema?.['x-message']
  if (typeof own === 'string') return `${subject} ${own}`
  switch (error.keyword) {
    case 'required': {
      const missing = String(error.params['missingProperty'])
      return `${field === '' ? missing : `${field}.${missing}`} is missing`
    }
    case 'type':
      return `${subject} must be ${String(error.params['type']).replace(',', ' or ')}, not ${typeOf(error.data)}`
    case 'const':
      return `${subject} is ${shown(error.data)}, where it must be ${shown(error.params['allowedValue'])}`
    case 'enum':
      return `${subject} is ${shown(error.data)}, not one of ${(error.params['allowedValues'] as unknown[]).map(shown).join(', ')}`
    default:
      return `${subject} ${error.message ?? 'is not valid'}`
  }
}

/** `/licenses/3/sha256` as `licenses[3].sha256`. */
function fieldOf(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map(part => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
    .join('')
    .replace(/^\./, '')
}

function typeOf(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'array' : typeof value
}

/** A value in a message: short, and never more than a line of it (it comes from an untrusted file). */
function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > 80 ? `${text.slice(0, 77)}…` : text
}
