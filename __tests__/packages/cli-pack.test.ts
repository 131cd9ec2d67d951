// The package as users install it (issue 26, ADR 0205, 0207): `npm pack` of this repository, installed into an
// empty folder without dev dependencies, gives the `license-backup` command and the engine library, each
// running on Node alone, with nothing of the toolchain or of the Actions toolkit in the installed tree.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFile } from 'node:child_process'
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { tempDir } from '../support/service.js'

const REPO = process.cwd()
// Past the verify pool's inline checks (256), so the installed engine starts its worker threads, which it
// must find inside the installed package.
const LICENSES = 600

interface Ran {
  code: number
  stdout: string
  stderr: string
}

/** The environment of a command run in the app: this one, without what the running npm script set. */
function cleanEnv(): NodeJS.ProcessEnv {
  const inherited = /^(npm_package_|npm_lifecycle_|npm_config_local_prefix$|INIT_CWD$)/
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !inherited.test(name)))
}

function run(file: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise(done => {
    execFile(file, args, { cwd, env: cleanEnv(), maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      done({ code, stdout, stderr })
    })
  })
}

/** npm itself, the one running this test when there is one (`npm_execpath`), run by this Node. */
function npm(args: string[], cwd: string): Promise<Ran> {
  const cli = process.env['npm_execpath']
  return cli ? run(process.execPath, [cli, ...args], cwd) : run('npm', args, cwd)
}

/** `npx --no -- license-backup …` in the app: the bin npm linked, never one fetched. */
const command = (args: string[]): Promise<Ran> => npm(['exec', '--no', '--', 'license-backup', ...args], app)

function snippet(text: string, marker: string, language: string): string {
  const found = new RegExp(`<!-- ${marker} -->\\n+\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(text)?.[1]
  if (found === undefined) throw new Error(`no ${language} block after <!-- ${marker} -->`)
  return found
}

let root: string
let app: string
let store: GeneratedStore

beforeAll(async () => {
  root = await tempDir('lb-pack-')
  app = join(root, 'app')
  await mkdir(join(root, 'pack'))
  await mkdir(app)
  const packed = await npm(['pack', '--json', '--pack-destination', join(root, 'pack')], REPO)
  expect({ code: packed.code, stderr: packed.code === 0 ? '' : packed.stderr }).toEqual({
    code: 0,
    stderr: ''
  })
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }]
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }))
  const installed = await npm(
    ['install', join(root, 'pack', filename), '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'],
    app
  )
  expect({ code: installed.code, stderr: installed.code === 0 ? '' : installed.stderr }).toEqual({
    code: 0,
    stderr: ''
  })
  const issuer = createIssuer({ kid: 'pack' })
  store = await generateStore(join(app, 'licenses'), issuer, { count: LICENSES, seed: 26 })
  await writeFile(join(app, 'issuer.jwks.json'), JSON.stringify(issuer.jwks()))
}, 240_000)

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const kept = (): number => store.licenses.filter(l => !l.restricted).length

/** Every package folder under the app's node_modules (`name` or `@scope/name`). */
async function installedPackages(): Promise<string[]> {
  const names: string[] = []
  for (const entry of await readdir(join(app, 'node_modules'))) {
    if (entry.startsWith('.')) continue
    if (!entry.startsWith('@')) names.push(entry)
    else names.push(...(await readdir(join(app, 'node_modules', entry))).map(name => `${entry}/${name}`))
  }
  return names
}

describe('npm pack, installed into an empty folder without dev dependencies', () => {
  it('installs neither the toolchain nor the Actions toolkit, and ships the engine and the command only', async () => {
    const names = await installedPackages()
    expect(names).toContain('license-backup')
    const unwanted = names.filter(name =>
      /^(typescript|esbuild|@esbuild\/.*|jest|ts-jest|@actions\/.*|node|age-encryption|ajv|jose|yaml)$/.test(
        name
      )
    )
    expect(unwanted).toEqual([])
    const shipped = await readdir(join(app, 'node_modules', 'license-backup', 'dist'))
    expect(shipped.sort()).toEqual(['cli', 'engine'])
  })

  it('runs `npx license-backup --help`', async () => {
    const help = await command(['--help'])
    expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' })
    expect(help.stdout).toContain('license-backup run [--config FILE]')
  })

  it('backs up and verifies the sample store from the command line', async () => {
    const backup = await command([
      'backup',
      '--store',
      'licenses',
      '--path',
      'cli-backup',
      '--trust-jwks',
      'issuer.jwks.json'
    ])
    expect({ code: backup.code, stderr: backup.stderr }).toEqual({ code: 0, stderr: '' })
    expect(backup.stdout).toContain(`Backed up ${kept()} license(s) to cli-backup (license-backup/v2`)
    const verify = await command(['verify', '--path', 'cli-backup', '--trust-jwks', 'issuer.jwks.json'])
    expect({ code: verify.code, stderr: verify.stderr }).toEqual({ code: 0, stderr: '' })
    expect(verify.stdout).toContain(
      `Verified ${kept()} license(s) in the license-backup/v2.1 backup, every signature checked`
    )
  })

  it('runs docs/engine.md’s script: a backup and a verify through `license-backup/engine`', async () => {
    const script = snippet(await readFile(join(REPO, 'docs', 'engine.md'), 'utf8'), 'engine-example', 'js')
    await writeFile(join(app, 'backup-and-verify.mjs'), script)
    const ran = await run(process.execPath, ['backup-and-verify.mjs'], app)
    // The one warning: the backup is not signed (docs/engine.md says how to sign one).
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({
      code: 0,
      stderr: expect.stringMatching(/^warning: The backup is not authenticated: [^\n]*\n$/)
    })
    expect(ran.stdout).toContain(`backed up ${kept()} license(s), ${LICENSES - kept()} restricted`)
    expect(ran.stdout).toContain(`verified ${kept()} license(s) in the license-backup/v2.1 backup`)
    expect(ran.stdout.match(/^not backed up: /gm)).toHaveLength(LICENSES - kept())
  })

  it('imports the package root as the engine, running nothing, and refuses paths outside its exports', async () => {
    await writeFile(
      join(app, 'imports.mjs'),
      [
        "import * as root from 'license-backup'",
        "import * as engine from 'license-backup/engine'",
        'console.log(root === engine, typeof root.createBackupRestorer)',
        "for (const path of ['license-backup/dist/engine/index.js', 'license-backup/dist/cli/license-backup.js'])",
        '  await import(path).then(() => console.log(path, "imported"), error => console.log(path, error.code))'
      ].join('\n')
    )
    const ran = await run(process.execPath, ['imports.mjs'], app)
    expect({ code: ran.code, stderr: ran.stderr }).toEqual({ code: 0, stderr: '' })
    expect(ran.stdout.trim().split('\n')).toEqual([
      'true function',
      'license-backup/dist/engine/index.js ERR_PACKAGE_PATH_NOT_EXPORTED',
      'license-backup/dist/cli/license-backup.js ERR_PACKAGE_PATH_NOT_EXPORTED'
    ])
  })

  it('gives TypeScript users the API’s types: a right call compiles, a wrong one does not', async () => {
    await writeFile(
      join(app, 'typed.ts'),
      [
        "import { createBackupRestorer, type BackupReport, type EngineEvent } from 'license-backup/engine'",
        'const seen: EngineEvent[] = []',
        'const engine = createBackupRestorer(event => seen.push(event))',
        "const result: BackupReport = await engine.backup({ store: 'licenses', path: 'typed-backup' })",
        'console.log(result.backedUp, seen.length)',
        '// @ts-expect-error: a path is a string',
        'await engine.verify({ path: 1 })'
      ].join('\n')
    )
    const tsc = resolve(REPO, 'node_modules', 'typescript', 'bin', 'tsc')
    const types = resolve(REPO, 'node_modules', '@types')
    const options = ['--noEmit', '--strict', '--module', 'nodenext', '--target', 'es2023']
    const ran = await run(
      process.execPath,
      [tsc, ...options, '--types', 'node', '--typeRoots', types, 'typed.ts'],
      app
    )
    expect({ code: ran.code, stdout: ran.stdout }).toEqual({ code: 0, stdout: '' })
  })
})
