import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

const bundle = ['dist/index.js', ...readdirSync('dist/chunks').map(name => join('dist/chunks', name))]
  .map(file => readFileSync(file, 'utf8'))
  .join('\n')

describe('what users run (dist/)', () => {
  it('has no crash points: the test harness’s kill switch is compiled out', () => {
    expect(readFileSync('src/engine/io/crash-points.ts', 'utf8')).toContain('LICENSE_BACKUP_CRASH_AT')
    expect(bundle).not.toContain('LICENSE_BACKUP_CRASH_AT')
    expect(bundle).toMatch(/function crashPoint\(\) \{\s*\}/)
  })

  it('carries package.json’s version, and nothing else of package.json', () => {
    const { version, devDependencies } = JSON.parse(readFileSync('package.json', 'utf8')) as {
      version: string
      devDependencies: Record<string, string>
    }
    expect(bundle).toContain(`{ version: "${version}" }`)
    expect(bundle).not.toContain(`"typescript-eslint": "${devDependencies['typescript-eslint']}"`)
  })
})
