import { describe, expect, it } from '@jest/globals'
import { existsSync, globSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'

const MAP = 'ARCHITECTURE.md'

/** Every folder of sources, the action's and the workspace packages', that holds TypeScript, as `src/a/b/`. */
function sourceFolders(): string[] {
  const files = [...globSync('src/**/*.ts'), ...globSync('packages/*/src/**/*.ts')]
  const folders = files.map(file => `${dirname(file).replaceAll('\\', '/')}/`)
  return [...new Set(folders)].sort()
}

describe('ARCHITECTURE.md, the map of the code', () => {
  const map = readFileSync(MAP, 'utf8')

  it('names every folder of src/ and packages/*/src/ that holds TypeScript, each in its own table row', () => {
    const folders = sourceFolders()
    expect(folders).toContain('src/engine/restore/')
    expect(folders).toContain('packages/license-server/src/storage/')
    const missing = folders.filter(folder => !map.includes(`\n| \`${folder}\``))
    expect({ missing }).toEqual({ missing: [] })
  })

  it('names no folder or file of src/ or packages/ that does not exist', () => {
    const named = [...map.matchAll(/`((?:src|packages)\/[\w./-]+)`/g)].map(m => m[1] as string)
    expect(named.length).toBeGreaterThan(20)
    const gone = named.filter(path => !existsSync(path))
    expect({ gone }).toEqual({ gone: [] })
  })

  it('points at functions that exist where it says they are', () => {
    const claims = [...map.matchAll(/`(\w+)` in `((?:src|packages)\/[\w./-]+\.ts)`/g)].map(m => ({
      name: m[1] as string,
      file: m[2] as string
    }))
    expect(claims.length).toBeGreaterThanOrEqual(3)
    const wrong = claims.filter(
      ({ name, file }) => !new RegExp(`export (async )?function ${name}\\b`).test(readFileSync(file, 'utf8'))
    )
    expect({ wrong }).toEqual({ wrong: [] })
  })
})
