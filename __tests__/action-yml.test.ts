import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

interface ActionYml {
  runs: { using: string; main: string }
  inputs: Record<string, { description?: string; default?: string }>
  outputs: Record<string, { description?: string }>
}

// Parsed strictly, as the runner and @github/local-action parse it.
const action = parse(readFileSync('action.yml', 'utf8'), { strict: true }) as ActionYml

describe('action.yml', () => {
  it('runs dist/index.js on node24, and again as the post step (release-on-exit) whatever the job did', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: 'dist/index.js',
      post: 'dist/index.js',
      'post-if': 'always()'
    })
  })

  it('declares the inputs and outputs the README documents, each described', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(
      ['config', 'github-token', 'on-restricted', 'only', 'steps'].sort()
    )
    expect(Object.keys(action.outputs).sort()).toEqual(
      [
        'artifact-digest',
        'bytes-per-license',
        'pack-size',
        'verified',
        'artifact-id',
        'artifact-url',
        'backed-up',
        'backup-path',
        'lease-expires',
        'registry-digest',
        'registry-tags',
        'restored',
        'restricted',
        'restricted-key-ids'
      ].sort()
    )
    for (const [name, spec] of [...Object.entries(action.inputs), ...Object.entries(action.outputs)]) {
      expect({ name, described: (spec.description ?? '').length > 10 }).toEqual({ name, described: true })
    }
    expect(action.inputs['config']?.default).toBe('.github/license-backup.yml')
  })
})
