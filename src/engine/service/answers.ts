import schema from '../../../schema/protocol.schema.json' with { type: 'json' }
import { schemaPart, schemaProblem } from '../json-schema.js'

/**
 * The service's answers are checked against the schemas of docs/openapi.yaml (generated into
 * schema/protocol.schema.json, ADR 0143) before the client reads a field of them.
 */
export type AnswerSchema =
  'Session' | 'RestoreResponse' | 'PreviewResponse' | 'ReleaseResponse' | 'RenewResponse'

/** Why `body` is not the protocol's `name`, as `<field> <problem>`; undefined when it is. */
export function answerProblem(body: unknown, name: AnswerSchema): string | undefined {
  return schemaProblem(schemaPart(schema, name), body)
}
