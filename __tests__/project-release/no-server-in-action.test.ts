// The action ships no part of the license server (issue 26, ADR 0201): its package.json names none of the
// server's dependencies or its command, and its bundles (dist/, the command line's dist/cli/ included)
// hold none of the server's code, found by texts only the server has.
import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { USAGE } from '../../packages/license-server/src/cli.js'
import { MIGRATIONS, MIGRATIONS_TABLE } from '../../packages/license-server/src/storage/migrations.js'

const action = JSON.parse(readFileSync('package.json', 'utf8')) as {
  bin?: Record<string, string>
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
}
const server = JSON.parse(readFileSync('packages/license-server/package.json', 'utf8')) as {
  dependencies: Record<string, string>
}

/** Every file under `folder`, as paths. */
function files(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true, recursive: true })
    .filter(entry => entry.isFile())
    .map(entry => join(entry.parentPath, entry.name))
}

describe('the action without the license server', () => {
  it("lists none of the server's dependencies, and not its command", () => {
    const serverOnly = Object.keys(server.dependencies).filter(name => !(name in (action.dependencies ?? {})))
    expect(serverOnly).toContain('pg')
    const listed = { ...action.dependencies, ...action.devDependencies }
    expect(serverOnly.filter(name => name in listed || `@types/${name}` in listed)).toEqual([])
    expect(Object.keys(action.bin ?? {})).toEqual(['license-backup'])
  })

  it("bundles none of the server's code into dist/", () => {
    // The first line of `license-server --help`, and the SQL of the server's migrations.
    const markers = [USAGE.split('\n')[0] as string, MIGRATIONS_TABLE, ...MIGRATIONS.map(m => m.name)]
    const bundled = files('dist').filter(file => file.endsWith('.js'))
    expect(bundled.length).toBeGreaterThan(3)
    const found = bundled.flatMap(file => {
      const text = readFileSync(file, 'utf8')
      return markers.filter(marker => text.includes(marker)).map(marker => `${file}: ${marker.slice(0, 60)}`)
    })
    expect(found).toEqual([])
  })
})
