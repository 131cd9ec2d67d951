// The README's first command: `npm run demo` must keep working after every change. It runs the built
// action end to end (backup, artifact, verify, restore), then the built command line (inspect, provisioning
// with a machine key, release).
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'

describe('npm run demo', () => {
  it('backs up, uploads, verifies, restores and releases, and ends with exit code 0', () => {
    const run = spawnSync(process.execPath, ['scripts/run-ts.mjs', 'scripts/demo.ts'], {
      encoding: 'utf8',
      timeout: 120_000
    })
    expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({
      status: 0,
      stderr: ''
    })
    const out = run.stdout
    expect(out).toMatch(
      /Verified (\d+) license\(s\) in the license-backup\/v2\.1 backup, every signature checked/
    )
    // The part outside GitHub Actions runs through the built command line: its inspect and its steps run.
    expect(out).toMatch(/│ format: license-backup\/v2\.1\n[^]*│ licenses: \d+, restricted: \d+\n/)
    expect(out).toContain('node dist/cli/license-backup.js run --config')
    expect(out).toMatch(/│ Released (\d+) license\(s\) of machine /)
    expect(out).toMatch(/Done in [\d.]+ s: exit code 0, (\d+) licenses restored on machine B\./)
    const restored = /exit code 0, (\d+) licenses restored/.exec(out)?.[1]
    const verified = /Verified (\d+) license\(s\)/.exec(out)?.[1]
    expect(Number(restored)).toBeGreaterThan(0)
    expect(verified).toBe(restored)
    expect(out).not.toMatch(/error:/)
  })
})
