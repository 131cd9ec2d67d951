import type { ErrorObject, ValidateFunction } from 'ajv/dist/2020.js'
import { ConfigError } from './config-error.js'
import type { ParsedSteps } from './parse.js'
// schema/license-backup.schema.json compiled when the sources are (npm run docs, ADR 0195): a step starts
// without loading Ajv or compiling the schema.
import { validate as compiled } from './schema-validator.js'

/** Keywords whose error reads better as the schema's own `x-message` than as Ajv's generic text. */
const OWN_MESSAGE_KEYWORDS = new Set([
  'pattern',
  'const',
  'minItems',
  'minProperties',
  'maxProperties',
  'anyOf',
  'not',
  'dependentRequired'
])

/**
 * Checks the parsed file against `schema/license-backup.schema.json` (the schema editors use) and throws
 * the first error, at its line and column. Errors come in document order so the user fixes from the top.
 */
export function validateSteps(parsed: ParsedSteps): void {
  const validate = compiled as ValidateFunction
  if (validate(parsed.data)) return
  const errors = relevant(validate.errors ?? [])
  const located = errors.map(error => toConfigError(parsed, error))
  located.sort(
    (a, b) =>
      (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
      (a.location?.column ?? 0) - (b.location?.column ?? 0)
  )
  throw located[0] ?? new ConfigError(`${parsed.source}: does not match the steps file schema.`)
}

/** Drops the branch errors under an `anyOf`/`not` that has its own message, and errors on parents. */
function relevant(errors: ErrorObject[]): ErrorObject[] {
  const combinators = errors.filter(
    e => (e.keyword === 'anyOf' || e.keyword === 'not') && e.parentSchema?.['x-message']
  )
  return errors.filter(
    e =>
      !combinators.some(
        c => c !== e && e.schemaPath.startsWith(`${c.schemaPath}/`) && e.instancePath === c.instancePath
      )
  )
}

function pathOf(pointer: string): (string | number)[] {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map(part => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map(part => (/^\d+$/.test(part) ? Number(part) : part))
}

function nameOf(path: (string | number)[]): string {
  const keys = path.filter((p): p is string => typeof p === 'string')
  return keys.length === 0 ? 'the steps file' : `\`${keys.join('.')}\``
}

function toConfigError(parsed: ParsedSteps, error: ErrorObject): ConfigError {
  const path = pathOf(error.instancePath)
  const subject = nameOf(path)
  const own = error.parentSchema?.['x-message']
  if (typeof own === 'string' && OWN_MESSAGE_KEYWORDS.has(error.keyword)) {
    return new ConfigError(`${subject} ${own}.`, parsed.locate(path))
  }
  switch (error.keyword) {
    case 'additionalProperties': {
      const key = String(error.params['additionalProperty'])
      const allowed = Object.keys((error.parentSchema?.['properties'] as object | undefined) ?? {})
      return new ConfigError(
        `unknown key \`${key}\` in ${subject}; allowed keys: ${allowed.join(', ')}.`,
        parsed.locateKey(path, key)
      )
    }
    case 'required':
      return new ConfigError(
        `${subject} is missing the required key \`${String(error.params['missingProperty'])}\`.`,
        parsed.locate(path)
      )
    case 'type':
      return new ConfigError(
        `${subject} must be ${article(String(error.params['type']))}.`,
        parsed.locate(path)
      )
    case 'enum':
      return new ConfigError(
        `${subject} must be one of ${(error.params['allowedValues'] as unknown[]).map(v => `\`${String(v)}\``).join(', ')}, not ${JSON.stringify(error.data)}.`,
        parsed.locate(path)
      )
    default:
      return new ConfigError(`${subject} ${error.message ?? 'is not valid'}.`, parsed.locate(path))
  }
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'a map',
    array: 'a list',
    string: 'a string',
    boolean: 'true or false',
    integer: 'a whole number',
    number: 'a number',
    'string,integer': 'a string or a whole number'
  }
  return names[type] ?? type
}
