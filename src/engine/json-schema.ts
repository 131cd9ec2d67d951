import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'

/**
 * The engine's JSON Schema checks of untrusted documents (a backup's manifest, the service's answers):
 * one Ajv, the first error only (`allErrors` off, so a hostile document of a million bad entries costs
 * one error), and that error said as `<field> <problem>` for a message that names the field.
 */
let shared: Ajv2020 | undefined

function ajv(): Ajv2020 {
  if (shared) return shared
  // strictTypes and strictRequired off: if/then branches name properties and require them without
  // repeating their type or their definition. validateSchema off: the schemas are the project's own files,
  // checked against the 2020-12 meta-schema by a test; checking them at run time compiled the meta-schema
  // first, 0.2-0.4 s of every operation that reads a manifest or an answer (ADR 0243).
  shared = new Ajv2020({
    validateSchema: false,
    verbose: true,
    strict: true,
    strictTypes: false,
    strictRequired: false,
    allowUnionTypes: true
  })
  shared.addKeyword({ keyword: 'x-message', schemaType: 'string' })
  // Written by toISOString(); read as Date.parse reads it.
  shared.addFormat('date-time', text => !Number.isNaN(Date.parse(text)))
  shared.addFormat('uri', text => URL.canParse(text))
  shared.addFormat('uri-reference', text => URL.canParse(text, 'http://x/'))
  return shared
}

/** The validator of `schema`'s `$defs/<part>`, compiled the first time it is asked for. */
export function schemaPart(schema: { $id: string }, part: string): ValidateFunction {
  const instance = ajv()
  if (!instance.getSchema(schema.$id)) instance.addSchema(schema)
  const compiled = instance.getSchema(`${schema.$id}#/$defs/${part}`)
  if (!compiled) throw new Error(`${schema.$id} has no $defs/${part}`)
  return compiled
}

/** Why `value` fails `validate`, as `<field> <problem>`; undefined when it passes. */
export function schemaProblem(validate: ValidateFunction, value: unknown): string | undefined {
  if (validate(value)) return undefined
  const error = validate.errors?.[0]
  return error ? problemOf(error) : 'it does not match its schema'
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
