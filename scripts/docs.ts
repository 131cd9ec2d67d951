// Regenerates the files made from other files (npm run docs): the README's input and output tables
// from action.yml, docs/adr/README.md from the ADRs' headers (after bringing each header to the one
// format), schema/protocol.schema.json from docs/openapi.yaml, and the steps file's compiled validator
// from schema/license-backup.schema.json. `__tests__/project-release/docs.test.ts` fails while any is
// stale, so CI checks them.
import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ADR_FILE, adrIndex, normalizeAdr, parseAdr, type Adr } from './docs/adr-index.js'
import { withActionTables } from './docs/action-tables.js'
import { formatMarkdown } from './docs/markdown.js'
import { protocolSchema } from './docs/protocol-schema.js'
import { stepsValidatorSource } from './docs/steps-validator.js'

export const ADR_DIR = 'docs/adr'
export const PROTOCOL_SCHEMA = 'schema/protocol.schema.json'
export const STEPS_VALIDATOR = 'src/action/steps/schema-validator.ts'

/** The steps file's validator as it should be: its schema compiled by Ajv standalone (ADR 0195), formatted. */
export async function expectedStepsValidator(): Promise<string> {
  const schema = JSON.parse(readFileSync('schema/license-backup.schema.json', 'utf8')) as object
  return formatMarkdown(stepsValidatorSource(schema), STEPS_VALIDATOR)
}

/** schema/protocol.schema.json as it should be: docs/openapi.yaml's schemas (ADR 0143), formatted. */
export async function expectedProtocolSchema(): Promise<string> {
  return formatMarkdown(protocolSchema(readFileSync('docs/openapi.yaml', 'utf8')), PROTOCOL_SCHEMA)
}

/** The date git first saw a file, or today for a file not committed yet. */
function dateAdded(file: string): string {
  const out = execFileSync('git', ['log', '--diff-filter=A', '--format=%ad', '--date=short', '--', file], {
    encoding: 'utf8'
  })
  return out.trim().split('\n').pop() || new Date().toISOString().slice(0, 10)
}

export function adrFiles(): string[] {
  return readdirSync(ADR_DIR)
    .filter(name => ADR_FILE.test(name))
    .sort()
}

/** The README as it should be: its tables from action.yml, formatted. */
export async function expectedReadme(): Promise<string> {
  const readme = withActionTables(readFileSync('README.md', 'utf8'), readFileSync('action.yml', 'utf8'))
  return formatMarkdown(readme, 'README.md')
}

/** The index as it should be for the ADRs as they are (each must have the one header). */
export async function expectedAdrIndex(): Promise<string> {
  const adrs: Adr[] = []
  for (const file of adrFiles()) {
    const adr = parseAdr(file, readFileSync(join(ADR_DIR, file), 'utf8'))
    if (!adr)
      throw new Error(
        `${ADR_DIR}/${file} does not start with "# N. Title" and a Date/Status line; run npm run docs.`
      )
    adrs.push(adr)
  }
  return formatMarkdown(adrIndex(adrs), join(ADR_DIR, 'README.md'))
}

async function main(): Promise<void> {
  for (const file of adrFiles()) {
    const path = join(ADR_DIR, file)
    const text = readFileSync(path, 'utf8')
    const normal = normalizeAdr(file, text, () => dateAdded(path))
    if (normal !== text) writeFileSync(path, await formatMarkdown(normal, path))
  }
  writeFileSync(join(ADR_DIR, 'README.md'), await expectedAdrIndex())
  writeFileSync('README.md', await expectedReadme())
  writeFileSync(PROTOCOL_SCHEMA, await expectedProtocolSchema())
  writeFileSync(STEPS_VALIDATOR, await expectedStepsValidator())
}

if (process.argv[1]?.endsWith('docs.mjs')) {
  main().catch((error: unknown) => {
    console.error((error as Error).message)
    process.exitCode = 1
  })
}
