import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { loadSteps } from '../../src/action/steps/load.js'

describe('docs/usage.md', () => {
  it('shows a steps file that the action accepts, with every kind of key', async () => {
    const text = readFileSync('docs/usage.md', 'utf8')
    const example = /<!-- steps-example -->\n+```yaml\n([\s\S]*?)```/.exec(text)?.[1]
    expect(example).toBeDefined()
    const config = await loadSteps({ config: '', inline: example ?? '' })
    expect(config.steps.map(s => s.kind)).toEqual(['backup', 'restore'])
  })
})
