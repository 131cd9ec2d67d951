import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { loadSteps } from '../../src/action/steps/load.js'

const readme = readFileSync('README.md', 'utf8')
const action = parse(readFileSync('action.yml', 'utf8')) as {
  inputs: Record<string, { default?: string }>
  outputs: Record<string, unknown>
}

/** The names in the first column of the table that follows `<!-- marker -->`. */
function tableNames(marker: string): string[] {
  const after = readme.slice(readme.indexOf(`<!-- ${marker} -->`))
  const table = after.split('\n\n')[1] ?? ''
  return table
    .split('\n')
    .slice(2)
    .map(row => /^\|\s*`([^`]+)`/.exec(row)?.[1])
    .filter((name): name is string => name !== undefined)
}

describe('README.md', () => {
  it('shows a steps file that the action accepts, with every kind of step', async () => {
    const example = /<!-- steps-example -->\n+```yaml\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(example).toBeDefined()
    const config = await loadSteps({ config: '', inline: example ?? '' })
    expect(config.steps.map(s => s.kind)).toEqual(['backup', 'restore', 'release'])
  })

  it('shows example workflows whose inline steps the action accepts', async () => {
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1] ?? '')
    const inline: string[] = []
    for (const block of blocks) {
      const workflow = parse(block) as {
        jobs?: Record<string, { steps?: Array<{ with?: { steps?: string } }> }>
      }
      for (const job of Object.values(workflow?.jobs ?? {})) {
        for (const step of job.steps ?? []) if (step.with?.steps) inline.push(step.with.steps)
      }
    }
    expect(inline.length).toBeGreaterThanOrEqual(2)
    for (const steps of inline) {
      // A workflow expression is text by the time the action reads it.
      const config = await loadSteps({
        config: '',
        inline: steps.replace(/\$\{\{[^}]*\}\}/g, './from-the-menu')
      })
      expect(config.steps.length).toBeGreaterThan(0)
    }
  })

  it('documents every input and output of action.yml, and nothing else', () => {
    expect(tableNames('inputs').sort()).toEqual(Object.keys(action.inputs).sort())
    expect(tableNames('outputs').sort()).toEqual(Object.keys(action.outputs).sort())
  })

  it('shows each documented input default as action.yml declares it', () => {
    for (const [name, spec] of Object.entries(action.inputs)) {
      if (spec.default === undefined) continue
      const row = readme.split('\n').find(line => line.startsWith(`| \`${name}\``))
      expect({ name, row: row?.includes(`\`${spec.default}\``) }).toEqual({ name, row: true })
    }
  })
})
