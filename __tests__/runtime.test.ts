import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'

describe('runtime', () => {
  it('runs the tests on the Node major the action declares (runs.using: node24)', () => {
    const actionYml = readFileSync('action.yml', 'utf8')
    const declared = /using:\s*['"]?node(\d+)/.exec(actionYml)?.[1]
    expect(declared).toBe('24')
    expect(process.versions.node.split('.')[0]).toBe(declared)
  })
})
