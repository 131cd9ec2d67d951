import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

/**
 * A small checker of answers against docs/openapi.yaml: the status is documented for the operation, the
 * content type is one the document names, required headers are there, and the body fits the schema (the
 * JSON Schema keywords the document uses: type, required, properties, items, enum, const, pattern,
 * min/maxLength, maxItems, format date-time/uri, allOf, if/then, $ref).
 */
type Schema = Record<string, unknown>
type Doc = { paths: Record<string, Record<string, Schema>> } & Schema

export function loadOpenApi(file = 'docs/openapi.yaml'): Doc {
  return parse(readFileSync(file, 'utf8')) as Doc
}

export function resolve(doc: Doc, node: Schema): Schema {
  let current = node
  while (typeof current['$ref'] === 'string') {
    const ref = current['$ref'] as string
    if (!ref.startsWith('#/')) throw new Error(`external $ref ${ref}`)
    current = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((at, key) => (at as Schema)[key], doc) as Schema
    if (!current) throw new Error(`unresolved $ref ${ref}`)
  }
  return current
}

/** The path template of the document that matches a concrete path. */
export function matchPath(doc: Doc, path: string): string | undefined {
  return Object.keys(doc.paths).find(template => {
    const pattern = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`)
    return pattern.test(path)
  })
}

export interface Observed {
  method: string
  path: string
  status: number
  contentType: string
  headers: Headers
  text: string
}

/** What is wrong with an answer, per the document; empty when it conforms. */
export function checkAnswer(doc: Doc, answer: Observed): string[] {
  const template = matchPath(doc, answer.path.split('?')[0] as string)
  if (!template) return [`${answer.path} is not in the document`]
  const operation = doc.paths[template]?.[answer.method.toLowerCase()]
  if (!operation) return [`${answer.method} ${template} is not in the document`]
  const responses = operation['responses'] as Record<string, Schema>
  const documented = responses[String(answer.status)]
  const where = `${answer.method} ${template} ${answer.status}`
  if (!documented) return [`${where}: status not documented`]
  const response = resolve(doc, documented)
  const errors: string[] = []
  for (const [name, header] of Object.entries((response['headers'] ?? {}) as Record<string, Schema>)) {
    if (resolve(doc, header)['required'] === true && !answer.headers.has(name)) {
      errors.push(`${where}: header ${name} is missing`)
    }
  }
  const content = response['content'] as Record<string, Schema> | undefined
  if (!content) {
    if (answer.text !== '') errors.push(`${where}: a body where none is documented`)
    return errors
  }
  const type = answer.contentType.split(';')[0]?.trim() ?? ''
  const media = content[type]
  if (!media)
    return [...errors, `${where}: content type "${type}" is not one of ${Object.keys(content).join(', ')}`]
  let body: unknown
  try {
    body = JSON.parse(answer.text)
  } catch {
    return [...errors, `${where}: the body is not JSON`]
  }
  return [...errors, ...validate(doc, media['schema'] as Schema, body, `${where} body`)]
}

export function validate(doc: Doc, node: Schema, value: unknown, at: string): string[] {
  const schema = resolve(doc, node)
  const errors: string[] = []
  const type = schema['type'] as string | undefined
  if (type && !hasType(value, type)) return [`${at}: expected ${type}, got ${JSON.stringify(value)}`]
  if ('const' in schema && value !== schema['const'])
    errors.push(`${at}: expected ${String(schema['const'])}`)
  if (Array.isArray(schema['enum']) && !(schema['enum'] as unknown[]).includes(value)) {
    errors.push(`${at}: ${JSON.stringify(value)} is not one of ${(schema['enum'] as unknown[]).join(', ')}`)
  }
  if (typeof value === 'string') {
    if (typeof schema['pattern'] === 'string' && !new RegExp(schema['pattern']).test(value)) {
      errors.push(`${at}: "${value}" does not match ${schema['pattern']}`)
    }
    if (typeof schema['minLength'] === 'number' && value.length < schema['minLength'])
      errors.push(`${at}: too short`)
    if (typeof schema['maxLength'] === 'number' && value.length > schema['maxLength'])
      errors.push(`${at}: too long`)
    if (schema['format'] === 'date-time' && Number.isNaN(Date.parse(value)))
      errors.push(`${at}: not a date-time`)
    if (schema['format'] === 'uri' && !URL.canParse(value)) errors.push(`${at}: not a URI`)
  }
  if (Array.isArray(value)) {
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems'])
      errors.push(`${at}: too many items`)
    if (schema['items'])
      value.forEach((item, i) =>
        errors.push(...validate(doc, schema['items'] as Schema, item, `${at}[${i}]`))
      )
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>
    for (const key of (schema['required'] ?? []) as string[]) {
      if (!(key in object)) errors.push(`${at}: required ${key} is missing`)
    }
    for (const [key, sub] of Object.entries((schema['properties'] ?? {}) as Record<string, Schema>)) {
      if (key in object) errors.push(...validate(doc, sub, object[key], `${at}.${key}`))
    }
  }
  for (const sub of (schema['allOf'] ?? []) as Schema[]) errors.push(...validate(doc, sub, value, at))
  if (schema['if'] && schema['then'] && validate(doc, schema['if'] as Schema, value, at).length === 0) {
    errors.push(...validate(doc, schema['then'] as Schema, value, at))
  }
  return errors
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value)
    case 'array':
      return Array.isArray(value)
    case 'integer':
      return Number.isInteger(value)
    case 'null':
      return value === null
    default:
      return typeof value === type
  }
}

/** Every documented (method, path, status), to see which ones a test exercised. */
export function documentedAnswers(doc: Doc): string[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).flatMap(([method, op]) =>
      Object.keys((op as Schema)['responses'] as Schema).map(
        status => `${method.toUpperCase()} ${path} ${status}`
      )
    )
  )
}
