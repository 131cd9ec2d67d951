import { describe, expect, it } from '@jest/globals'
import { Ajv2020 } from 'ajv/dist/2020.js'
import { readFileSync } from 'node:fs'

const schema = JSON.parse(readFileSync('schema/license-backup.schema.json', 'utf8')) as Record<
  string,
  unknown
>

type Node = Record<string, unknown>

/** Every subschema with its JSON pointer. */
function* walk(node: unknown, pointer = '#'): Generator<[string, Node]> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return
  const schemaNode = node as Node
  yield [pointer, schemaNode]
  for (const key of ['properties', '$defs'] as const) {
    for (const [name, child] of Object.entries((schemaNode[key] as Node | undefined) ?? {})) {
      yield* walk(child, `${pointer}/${key}/${name}`)
    }
  }
  if (schemaNode['items']) yield* walk(schemaNode['items'], `${pointer}/items`)
}

describe('the published JSON Schema', () => {
  it('is a valid draft 2020-12 schema under Ajv strict mode', () => {
    expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema')
    const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true })
    ajv.addKeyword({ keyword: 'x-message', schemaType: 'string' })
    expect(() => ajv.compile(schema)).not.toThrow()
  })

  it('closes every object (unknown keys are errors) and describes every property for editors', () => {
    const nodes = [...walk(schema)]
    const open = nodes
      .filter(([, n]) => n['type'] === 'object' && n['additionalProperties'] !== false)
      .map(([p]) => p)
    expect(open).toEqual([])
    const undescribed = nodes
      .filter(
        ([p, n]) =>
          p.includes('/properties/') && typeof n['description'] !== 'string' && typeof n['$ref'] !== 'string'
      )
      .map(([p]) => p)
    expect(undescribed).toEqual([])
    const undescribedDefs = nodes
      .filter(([p, n]) => /\/\$defs\/[^/]+$/.test(p) && typeof n['description'] !== 'string')
      .map(([p]) => p)
    expect(undescribedDefs).toEqual([])
  })

  it('checks every `*-env` key as an environment variable name of the user (never ACTIONS_*, GITHUB_*, RUNNER_*)', () => {
    const envKeys = [...walk(schema)].filter(([p]) => /\/properties\/[^/]+-env$/.test(p))
    expect(envKeys.length).toBeGreaterThanOrEqual(2)
    for (const [, node] of envKeys) expect(node['$ref']).toBe('#/$defs/envName')
  })
})
