import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { loadSteps } from '../../src/action/steps/load.js'

const readme = readFileSync('README.md', 'utf8')
// The input and output tables are generated from action.yml: __tests__/release/docs.test.ts checks them.

describe('README.md', () => {
  it('shows a steps file that the action accepts, with every kind of step', async () => {
    const example = /<!-- steps-example -->\n+```yaml\n([\s\S]*?)```/.exec(readme)?.[1]
    expect(example).toBeDefined()
    const config = await loadSteps({ config: '', inline: example ?? '' })
    expect(config.steps.map(s => s.kind)).toEqual(['backup', 'restore'])
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
})
