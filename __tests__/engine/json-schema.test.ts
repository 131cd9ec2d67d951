import { describe, expect, it } from '@jest/globals'
import { Ajv2020 } from 'ajv/dist/2020.js'
import manifestSchema from '../../schema/manifest.schema.json' with { type: 'json' }
import protocolSchema from '../../schema/protocol.schema.json' with { type: 'json' }

// The engine compiles its schemas without checking them against the meta-schema (ADR 0243): this test is
// that check, so a schema edit that JSON Schema 2020-12 refuses still fails here.
describe('the schemas the engine checks documents with', () => {
  it.each([
    ['schema/manifest.schema.json', manifestSchema],
    ['schema/protocol.schema.json', protocolSchema]
  ])('%s is valid against the JSON Schema 2020-12 meta-schema', (_name, schema) => {
    const ajv = new Ajv2020({ strict: false })
    expect([ajv.validateSchema(schema), ajv.errors ?? []]).toEqual([true, []])
  })
})
