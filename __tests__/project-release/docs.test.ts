import { describe, expect, it } from '@jest/globals'
import { globSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { loadSteps } from '../../src/action/steps/load.js'
import { ERROR_CODES } from '../../src/engine/errors.js'
import { adrIndex, normalizeAdr, parseAdr } from '../../scripts/docs/adr-index.js'
import { inputsTable, withActionTables } from '../../scripts/docs/action-tables.js'
import {
  ADR_DIR,
  PROTOCOL_SCHEMA,
  STEPS_VALIDATOR,
  adrFiles,
  expectedAdrIndex,
  expectedProtocolSchema,
  expectedReadme,
  expectedStepsValidator
} from '../../scripts/docs.js'

const today = (): string => '2026-12-01'

describe('generated documents (npm run docs)', () => {
  it('README.md has the input and output tables of action.yml as it is', async () => {
    expect(readFileSync('README.md', 'utf8')).toBe(await expectedReadme())
  })

  it('schema/protocol.schema.json holds the schemas of docs/openapi.yaml as it is', async () => {
    expect(readFileSync(PROTOCOL_SCHEMA, 'utf8')).toBe(await expectedProtocolSchema())
  })

  it('src/action/steps/schema-validator.ts is schema/license-backup.schema.json compiled as it is', async () => {
    expect(readFileSync(STEPS_VALIDATOR, 'utf8')).toBe(await expectedStepsValidator())
  })

  it('every ADR has the one header, and docs/adr/README.md lists them all', async () => {
    for (const file of adrFiles()) {
      expect({
        file,
        parsed: parseAdr(file, readFileSync(join(ADR_DIR, file), 'utf8')) !== undefined
      }).toEqual({
        file,
        parsed: true
      })
    }
    expect(readFileSync(join(ADR_DIR, 'README.md'), 'utf8')).toBe(await expectedAdrIndex())
  })
})

describe('the contract documents', () => {
  it('docs/errors.md has a row for every error code the engine has', () => {
    const errors = readFileSync('docs/errors.md', 'utf8')
    for (const code of ERROR_CODES)
      expect({ code, row: errors.includes(`\n| \`${code}\``) }).toEqual({ code, row: true })
  })

  it('docs/events.md has a row for every event type the engine emits', () => {
    const events = readFileSync('docs/events.md', 'utf8')
    const types = [...readFileSync('src/engine/events.ts', 'utf8').matchAll(/type: '([A-Z_]+)'/g)].map(
      m => m[1]
    )
    expect(types.length).toBeGreaterThan(5)
    for (const type of types)
      expect({ type, row: events.includes(`\n| \`${type}\``) }).toEqual({ type, row: true })
  })

  it('docs/events.md gives the order of every operation and names each in BEGIN', () => {
    const events = readFileSync('docs/events.md', 'utf8')
    const union =
      /export type Operation = ([^\n]+)/.exec(readFileSync('src/engine/events.ts', 'utf8'))?.[1] ?? ''
    const operations = [...union.matchAll(/'([a-z]+)'/g)].map(m => m[1] as string)
    expect(operations.length).toBeGreaterThanOrEqual(4)
    const begin = /\n\| `BEGIN` +\| ([^|]+)\|/.exec(events)?.[1] ?? ''
    for (const operation of operations) {
      expect({ operation, inBegin: begin.includes(`\`${operation}\``) }).toEqual({ operation, inBegin: true })
      expect({ operation, ordered: new RegExp(`\\n${operation}: +[A-Z]`).test(events) }).toEqual({
        operation,
        ordered: true
      })
    }
  })

  it('nothing points outside the repository for the contract: sources, tests, scripts and documents', () => {
    // Built from pieces, so this file does not match itself.
    const outside = new RegExp(['\\.\\./shared/', 'SPEC\\.md', '\\bSPEC \\d', '\\bSPEC section'].join('|'))
    const roots = ['src', '__tests__', 'scripts', 'docs', 'schema', 'bench', '.github', '.ci']
    // The bench's results are figures, and its work folder holds the stores it made (a million files).
    const notOurs = new Set([join('bench', 'results'), join('bench', 'work')])
    const files = [
      ...['README.md', 'CONTRIBUTING.md', 'SECURITY.md', 'RELEASING.md', 'CHANGELOG.md', 'action.yml'],
      ...globSync(
        roots.map(root => `${root}/**`),
        { exclude: name => notOurs.has(name) }
      )
    ].filter(file => /\.(ts|mts|mjs|js|md|ya?ml|json)$|run$/.test(file))
    expect(files.length).toBeGreaterThan(100)
    const hits = files.filter(file => statSync(file).isFile() && outside.test(readFileSync(file, 'utf8')))
    expect(hits).toEqual([])
  })
})

/**
 * The version users reference (RELEASING.md): `v<major>` of the newest release CHANGELOG.md has a section
 * for, or `main` while nothing is released.
 */
function releasedRef(): string {
  const newest = /^## \[(\d+)\.\d+\.\d+\]/m.exec(readFileSync('CHANGELOG.md', 'utf8'))
  return newest ? `v${newest[1]}` : 'main'
}

describe('README.md for a user of the action', () => {
  const readme = readFileSync('README.md', 'utf8')
  const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1] ?? '')

  it('opens with a five-line nightly workflow and a steps file the action accepts', async () => {
    const [workflow = '', stepsFile = ''] = blocks
    expect(workflow.trimEnd().split('\n')).toHaveLength(5)
    const parsed = parse(workflow) as {
      on: { schedule: unknown[] }
      jobs: { backup: { steps: { uses: string }[] } }
    }
    expect(parsed.on.schedule).toHaveLength(1)
    expect(parsed.jobs.backup.steps.map(step => step.uses)).toContain(
      `license-backup/license-backup@${releasedRef()}`
    )
    const config = await loadSteps({ config: '', inline: stepsFile })
    expect(config.steps.map(step => step.kind)).toEqual(['backup'])
  })

  it('names one version of the action everywhere: the newest released major, or main before the first', () => {
    const refs = [...readme.matchAll(/license-backup\/license-backup[@/]([\w.-]+)/g)].map(m => m[1])
    expect(refs.length).toBeGreaterThanOrEqual(6)
    expect(new Set(refs)).toEqual(new Set([releasedRef()]))
  })

  it('keeps the two commands', () => {
    expect(readme).toContain('npm ci && npm run demo')
    expect(readme).toContain('npm ci && npm test')
  })
})

describe('withActionTables', () => {
  const action = `
inputs:
  store:
    description: >-
      Where the
      licenses are | kept.
    default: ./licenses
  token:
    description: A token.
    required: true
outputs:
  count:
    description: How many.
`

  it('makes a row per input with its default, or says it is required, keeping a | inside its cell', () => {
    expect(inputsTable(parse(action) as object)).toBe(
      [
        '| input | default | description |',
        '| --- | --- | --- |',
        '| `store` | `./licenses` | Where the licenses are \\| kept. |',
        '| `token` | required | A token. |'
      ].join('\n')
    )
  })

  it('replaces only what is between the markers', () => {
    const readme =
      'A\n<!-- inputs:start -->\nold\n<!-- inputs:end -->\nB\n<!-- outputs:start -->\n<!-- outputs:end -->\nC\n'
    const out = withActionTables(readme, action)
    expect(out.startsWith('A\n<!-- inputs:start -->\n\n| input |')).toBe(true)
    expect(out).not.toContain('old')
    expect(out).toContain('| `count` | How many. |\n\n<!-- outputs:end -->\nC\n')
  })

  it('names the markers a README lacks', () => {
    expect(() => withActionTables('no markers', action)).toThrow(
      'README.md lacks the markers <!-- inputs:start --> … <!-- inputs:end -->'
    )
  })
})

describe('normalizeAdr', () => {
  const body = '## Context\n\nWhy.\n'

  it('keeps an ADR already in the one format as it is', () => {
    const text = `# 7. A thing\n\nDate: 2026-11-24. Status: accepted.\n\n${body}`
    expect(normalizeAdr('0007-a-thing.md', text, today)).toBe(text)
  })

  it('rewrites "# ADR 0010: …" with a Status section, dating it when it was added', () => {
    const text = `# ADR 0010: Writing things\n\n## Status\n\nAccepted (issue 3).\n\n${body}`
    expect(normalizeAdr('0010-writing-things.md', text, today)).toBe(
      `# 10. Writing things\n\nDate: 2026-12-01. Status: accepted (issue 3).\n\n${body}`
    )
  })

  it('rewrites "# 0030. …" with a bare Status line, and keeps a Date line it finds', () => {
    expect(normalizeAdr('0030-x.md', `# 0030. X\n\nStatus: accepted\n\n${body}`, today)).toBe(
      `# 30. X\n\nDate: 2026-12-01. Status: accepted.\n\n${body}`
    )
    expect(normalizeAdr('0031-y.md', `# ADR-0031 Y\n\nDate: 2026-11-20.\n\n${body}`, today)).toBe(
      `# 31. Y\n\nDate: 2026-11-20. Status: accepted.\n\n${body}`
    )
  })

  it('names the file whose title it cannot read', () => {
    expect(() => normalizeAdr('0040-z.md', 'no heading', today)).toThrow('docs/adr/0040-z.md: cannot read')
  })
})

describe('adrIndex', () => {
  it('lists ADRs by number, whatever order they come in', () => {
    const index = adrIndex([
      { number: 61, file: '0061-b.md', title: 'B', date: '2026-12-01', status: 'accepted' },
      { number: 5, file: '0005-a.md', title: 'A', date: '2026-11-24', status: 'superseded by 61' }
    ])
    expect(index.indexOf('[0005](0005-a.md)')).toBeLessThan(index.indexOf('[0061](0061-b.md)'))
    expect(index).toContain('| [0005](0005-a.md) | A | superseded by 61 | 2026-11-24 |')
  })
})
