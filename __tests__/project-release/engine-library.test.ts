// The engine as a library (ADR 0205, 0206, 0207): what package.json exports is dist/engine/, built from the
// engine's public API alone, with nothing of the Actions toolkit in it; `__tests__/packages/` installs it.
import { describe, expect, it } from '@jest/globals'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { generateStore } from '../../src/fixtures/store.js'
import type * as Engine from '../../src/engine/index.js'
import { tempDir } from '../support/service.js'

interface Manifest {
  exports: Record<string, string | Record<string, string>>
  files: string[]
  bin: Record<string, string>
  dependencies?: Record<string, string>
}
const manifest = JSON.parse(readFileSync('package.json', 'utf8')) as Manifest

/** Every file under `dir`, relative to it, with `/`. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter(entry => entry.isFile())
    .map(entry =>
      join(entry.parentPath, entry.name)
        .slice(dir.length + 1)
        .replaceAll('\\', '/')
    )

/** The package names of a licenses.txt: its header lines, `name version`. */
const packagesOf = (licenses: string): string[] =>
  [...licenses.matchAll(/^(@?[\w.-]+(?:\/[\w.-]+)?) \d+\.\d+\.\d+\S*$/gm)].map(m => m[1] as string)

describe('package.json exports the engine, built into dist/engine/', () => {
  it('exports the engine as the package root and as license-backup/engine, with types, and nothing that runs', () => {
    const engine = { types: './dist/engine/index.d.ts', import: './dist/engine/index.js' }
    expect(manifest.exports).toEqual({ '.': engine, './engine': engine, './package.json': './package.json' })
    expect(existsSync(engine.types) && existsSync(engine.import)).toBe(true)
    // The action runs from action.yml's dist/index.js, which no export names.
    expect(readFileSync('action.yml', 'utf8')).toMatch(/^\s+main: dist\/index\.js$/m)
  })

  it('packs only what the engine and the command need, and depends on nothing they bundle', () => {
    expect(manifest.files).toEqual(['dist/engine/', 'dist/cli/'])
    expect(manifest.bin['license-backup']).toBe('dist/cli/license-backup.js')
    const bundled = new Set(
      ['dist/engine/licenses.txt', 'dist/cli/licenses.txt'].flatMap(file =>
        packagesOf(readFileSync(file, 'utf8'))
      )
    )
    expect(bundled).toContain('jose')
    const declared = Object.keys(manifest.dependencies ?? {}).filter(name => bundled.has(name))
    expect(declared).toEqual([])
  })

  it('bundles no @actions package and no code of the action', () => {
    const licenses = readFileSync('dist/engine/licenses.txt', 'utf8')
    expect(packagesOf(licenses)).toContain('age-encryption')
    expect(packagesOf(licenses).filter(name => name.startsWith('@actions/'))).toEqual([])
    const mentioning = filesUnder('dist/engine').filter(file =>
      /@actions\/|GITHUB_STEP_SUMMARY|::error::/.test(readFileSync(join('dist/engine', file), 'utf8'))
    )
    expect(mentioning).toEqual([])
  })

  it('starts its verify worker from its own file beside the chunk that starts it', () => {
    const chunks = readdirSync('dist/engine/chunks')
    const starters = chunks.filter(name =>
      readFileSync(join('dist/engine/chunks', name), 'utf8').includes('new Worker(')
    )
    expect(starters).toHaveLength(1)
    expect(readFileSync(join('dist/engine/chunks', starters[0]!), 'utf8')).toContain('"./verify-worker.js"')
    expect(chunks).toContain('verify-worker.js')
  })

  it('declares the public API’s types only, naming no package', () => {
    const declarations = filesUnder('dist/engine').filter(file => file.endsWith('.d.ts'))
    expect(declarations).toContain('types/src/engine/api.d.ts')
    expect(declarations).not.toContain('types/src/engine/backup/backup.d.ts')
    const imports = declarations.flatMap(file =>
      [...readFileSync(join('dist/engine', file), 'utf8').matchAll(/from '([^'.][^']*)'/g)].map(m => m[1])
    )
    expect(imports.filter(name => !name?.startsWith('node:'))).toEqual([])
  })

  it('backs up and verifies from dist/engine/, with its worker threads', async () => {
    const engine = (await import(pathToFileURL(resolve('dist/engine/index.js')).href)) as typeof Engine
    const dir = await tempDir('lb-engine-dist-')
    try {
      const issuer = createIssuer({ kid: 'engine-dist' })
      // Past the verify pool's 256 inline checks: the rest go to the worker in dist/engine/chunks/.
      const store = await generateStore(join(dir, 'store'), issuer, { count: 400, restrictedShare: 0 })
      await writeFile(join(dir, 'jwks.json'), JSON.stringify(issuer.jwks()))
      const trust = { jwksFile: join(dir, 'jwks.json') }
      const events: string[] = []
      const run = engine.createBackupRestorer(event => events.push(event.type))
      const backup = await run.backup({ store: store.dir, path: join(dir, 'backup'), trust })
      const verify = await run.verify({ path: join(dir, 'backup'), trust })
      expect([backup.backedUp, verify.verified, verify.signaturesChecked]).toEqual([400, 400, true])
      expect(events).toContain('END')
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
