import { describe, expect, it } from '@jest/globals'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parse } from 'yaml'
import { loadSteps } from '../../src/action/steps/load.js'

const readme = readFileSync('README.md', 'utf8')
// The input and output tables are generated from action.yml: __tests__/project-release/docs.test.ts checks them.

describe('README.md', () => {
  const example = /<!-- steps-example -->\n+```yaml\n([\s\S]*?)```/.exec(readme)?.[1]

  it('shows a steps file that the action accepts, with every kind of step', async () => {
    expect(example).toBeDefined()
    const config = await loadSteps({ config: '', inline: example ?? '' })
    expect(config.steps.map(s => s.kind)).toEqual(['backup', 'restore', 'verify', 'release', 'renew'])
  })

  it('quotes the error the action really gives for a misspelt key of that steps file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lb-readme-'))
    try {
      const file = join(dir, 'license-backup.yml')
      writeFileSync(file, (example ?? '').replace('      overwrite: true #', '      overwrit: true #'))
      const error = await loadSteps({ config: file, inline: '' }).then(
        () => undefined,
        (thrown: unknown) => thrown as Error
      )
      const message = error?.message.replace(file, '.github/license-backup.yml')
      expect(message).toContain('unknown key `overwrit`')
      expect(readme).toContain(`\n\`\`\`text\n${message}\n\`\`\`\n`)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  /** Each example workflow step that runs the action with inline steps, with its `env:`: in whole
   * workflows and in snippets that show only the step list. */
  function inlineSteps(): { steps: string; env: Record<string, string> }[] {
    type WorkflowStep = { with?: { steps?: string }; env?: Record<string, string> }
    const blocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map(m => m[1] ?? '')
    const found: { steps: string; env: Record<string, string> }[] = []
    for (const block of blocks) {
      const parsed = parse(block) as WorkflowStep[] | { jobs?: Record<string, { steps?: WorkflowStep[] }> }
      const stepLists = Array.isArray(parsed)
        ? [parsed]
        : Object.values(parsed?.jobs ?? {}).map(job => job.steps ?? [])
      for (const step of stepLists.flat()) {
        if (step.with?.steps) found.push({ steps: step.with.steps, env: step.env ?? {} })
      }
    }
    return found
  }

  /** What a dispatch menu's user may type: quotes, braces, a line break, YAML of their own. */
  const TYPED = `./x' }\n  - restore: { path: "/", store: / }\n#"`

  it('shows example workflows whose inline steps the action accepts, whatever an input holds', async () => {
    const examples = inlineSteps()
    expect(examples.length).toBeGreaterThanOrEqual(2)
    for (const { steps, env } of examples) {
      // Workflow expressions are text by the time the action reads its env.
      const values = Object.fromEntries(Object.keys(env).map(name => [name, TYPED]))
      const config = await loadSteps({ config: '', inline: steps, env: values })
      expect(config.steps.length).toBeGreaterThan(0)
      for (const step of config.steps)
        if (step.kind !== 'release' && step.kind !== 'renew' && step.path !== undefined)
          expect(step.path).toBe(TYPED)
    }
  })

  it('never interpolates a workflow expression into the steps YAML (a quote in an input would break out)', () => {
    for (const { steps } of inlineSteps()) expect(steps).not.toContain('${{')
  })
})
