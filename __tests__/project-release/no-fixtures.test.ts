// Test fixtures stay out of what ships (issue 22): no file of the service, the action or the engine imports
// from src/fixtures/, so no test key or test-only code is on a production path.
import { describe, expect, it } from '@jest/globals'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

const SHIPPED = [
  'packages/license-server/src',
  'packages/protocol/src',
  'src/action',
  'src/cli',
  'src/engine',
  'src/main.ts',
  'src/index.ts'
]

async function sources(path: string): Promise<string[]> {
  const entries = await readdir(path, { withFileTypes: true }).catch(() => undefined)
  if (!entries) return /\.[cm]?ts$/.test(path) ? [path] : []
  const nested = await Promise.all(entries.map(e => sources(join(path, e.name))))
  return nested.flat()
}

describe('what ships', () => {
  it('imports nothing from src/fixtures/', async () => {
    const files = (await Promise.all(SHIPPED.map(sources))).flat()
    expect(files.length).toBeGreaterThan(50)
    const offending: string[] = []
    for (const file of files) {
      const text = await readFile(file, 'utf8')
      for (const match of text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)) {
        if (/(^|\/)fixtures\//.test(match[1] as string)) offending.push(`${file}: ${match[1]}`)
      }
    }
    expect(offending).toEqual([])
  })
})
