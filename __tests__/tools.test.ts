// The outside tools the tests need: found on PATH or in their documented variable, never at a fixed path;
// a missing one is one printed line (or a failure under LICENSE_BACKUP_REQUIRE_TOOLS=1); a failed run is
// an error Jest's JSON report can serialise (src/fixtures/tools.ts, ADR 0190).
import { afterEach, describe, expect, it, jest } from '@jest/globals'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { REQUIRE_TOOLS, TOOLS, findTool, installHint, runTool, toolsPresent } from '../src/fixtures/tools.js'
import { tempDirs } from './support/engine.js'
import { itOnPosix } from './support/platform.js'

const NOTES = 'LICENSE_BACKUP_SKIP_NOTES'
const dirs = tempDirs()
const savedEnv = { ...process.env }
afterEach(async () => {
  jest.restoreAllMocks()
  for (const name of ['PATH', 'PG_BIN', REQUIRE_TOOLS, NOTES]) {
    if (savedEnv[name] === undefined) delete process.env[name]
    else process.env[name] = savedEnv[name]
  }
  await dirs.cleanup()
})

/** This process's PATH, PG_BIN, LICENSE_BACKUP_REQUIRE_TOOLS and skip notes for one test (restored after). */
function setEnv(vars: { PATH: string; PG_BIN?: string; require?: boolean; notes?: string }): void {
  process.env['PATH'] = vars.PATH
  if (vars.notes === undefined) delete process.env[NOTES]
  else process.env[NOTES] = vars.notes
  if (vars.PG_BIN === undefined) delete process.env['PG_BIN']
  else process.env['PG_BIN'] = vars.PG_BIN
  if (vars.require) process.env[REQUIRE_TOOLS] = '1'
  else delete process.env[REQUIRE_TOOLS]
}

/** A folder holding an executable `name` that prints `stderr` and exits with `status`. */
async function fakeTool(name: string, stderr = '', status = 0): Promise<string> {
  const dir = await dirs.make()
  const file = join(dir, name)
  await writeFile(file, `#!/bin/sh\nprintf '%s' '${stderr}' >&2\nexit ${status}\n`)
  await chmod(file, 0o755)
  return dir
}

function withPath(dirsOnPath: string[], extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: dirsOnPath.join(delimiter), ...extra }
}

describe('finding a tool', () => {
  itOnPosix('the fake tools are sh scripts')('finds it on PATH, first folder first', async () => {
    const first = await fakeTool('docker-registry')
    const second = await fakeTool('docker-registry')
    expect(findTool('docker-registry', withPath([first, second]))).toBe(join(first, 'docker-registry'))
    expect(findTool('docker-registry', withPath([await dirs.make()]))).toBeUndefined()
  })

  itOnPosix('the fake tools are sh scripts')('looks in PG_BIN before PATH for PostgreSQL', async () => {
    const onPath = await fakeTool('initdb')
    const pgBin = await fakeTool('initdb')
    expect(findTool('initdb', withPath([onPath], { PG_BIN: pgBin }))).toBe(join(pgBin, 'initdb'))
    expect(findTool('initdb', withPath([onPath]))).toBe(join(onPath, 'initdb'))
  })

  it('does not take a folder of that name for the tool', async () => {
    const dir = await dirs.make()
    await mkdir(join(dir, 'age'))
    expect(findTool('age', withPath([dir]))).toBeUndefined()
  })

  it('names no tool by a fixed path anywhere in the sources, scripts or benchmarks', () => {
    const fixed = /['"`](\/usr\/(s?bin|lib|local)|\/opt\/homebrew)\//
    const offenders = ['src', 'scripts', 'bench']
      .flatMap(root => sources(root))
      .filter(file => fixed.test(readFileSync(file, 'utf8')))
    expect(offenders).toEqual([])
  })
})

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return name === 'work' ? [] : sources(path)
    return /\.(ts|mjs|js)$/.test(name) ? [path] : []
  })
}

describe('how to install it', () => {
  it('names the package manager of each OS, or why the tool is not had there', () => {
    expect(installHint(['age', 'age-keygen'], 'linux')).toBe('install with `sudo apt-get install age`')
    expect(installHint(['age'], 'darwin')).toBe('install with `brew install age`')
    expect(installHint(['docker-registry', 'openssl'], 'linux')).toBe(
      'install with `sudo apt-get install docker-registry openssl`'
    )
    expect(installHint(['docker-registry'], 'darwin')).toMatch(
      /^docker-registry is not available on darwin: /
    )
    expect(installHint(['initdb'], 'win32')).toMatch(/^initdb is not available on win32: /)
    expect(installHint(['initdb', 'postgres'], 'linux')).toContain(
      'set PG_BIN to its folder (Debian: /usr/lib/postgresql/<version>/bin'
    )
  })

  it('is what the README tells a contributor to install', () => {
    const readme = readFileSync('README.md', 'utf8')
    const section = readme.slice(readme.indexOf('### The tools the tests run'), readme.indexOf('## License'))
    const commands = (manager: string): string[] =>
      [...section.matchAll(new RegExp(`\`${manager} install ([^\`]+)\``, 'g'))].flatMap(m => m[1]!.split(' '))
    for (const info of Object.values(TOOLS)) {
      if (info.apt) expect(commands('sudo apt-get')).toContain(info.apt)
      if (info.brew) expect(commands('brew')).toContain(info.brew)
    }
  })
})

/** Every test file under __tests__, relative to the repository. */
function testFiles(dir = '__tests__'): string[] {
  return readdirSync(dir).flatMap(name => {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) return testFiles(path)
    return path.endsWith('.test.ts') ? [path] : []
  })
}

describe('a test whose tool is missing', () => {
  // Two registry suites once started the registry unconditionally and failed on a machine without it.
  it('is gated in every test file that starts a tool-backed server or runs a tool', () => {
    const startsTool = /\b(startRegistry|basicRegistrySuite|requireTool|runTool)\(/
    const gated = /\b(describeWithTools|itWithTools|toolsPresent)\(/
    const ungated = testFiles().filter(file => {
      const text = readFileSync(file, 'utf8')
      return startsTool.test(text) && !gated.test(text)
    })
    expect(ungated).toEqual([])
  })

  it('is skipped with one printed line naming the tool and how to install it', () => {
    setEnv({ PATH: '' })
    const written: string[] = []
    jest.spyOn(process.stderr, 'write').mockImplementation(chunk => {
      written.push(String(chunk))
      return true
    })
    expect(toolsPresent('the registry tests', ['docker-registry'])).toBe(false)
    expect(written).toHaveLength(1)
    expect(written[0]).toMatch(/^Skipped the registry tests: docker-registry not found; .*\n$/)
    expect(written[0]!.trim()).not.toContain('\n')
    expect(written[0]).toContain(installHint(['docker-registry']))
  })

  it('says so once a run however many test files need the tool', async () => {
    setEnv({ PATH: '', notes: await dirs.make() })
    const written = jest.spyOn(process.stderr, 'write').mockImplementation(() => true)
    expect(toolsPresent('the PostgreSQL tests', ['initdb', 'postgres'])).toBe(false)
    expect(toolsPresent('the PostgreSQL tests', ['initdb', 'postgres'])).toBe(false)
    expect(toolsPresent('the age CLI tests', ['age'])).toBe(false)
    expect(written.mock.calls.map(([line]) => String(line).split(':')[0])).toEqual([
      'Skipped the PostgreSQL tests',
      'Skipped the age CLI tests'
    ])
  })

  it.each([
    ['linux', ['age', 'registry', 'PostgreSQL'], []],
    ['darwin', ['age', 'PostgreSQL'], ['registry']],
    ['win32', [], ['age', 'registry', 'PostgreSQL']]
  ] as const)(
    `under ${REQUIRE_TOOLS}=1 on %s fails the tests of %j, whose tools a package offers there, and skips those of %j`,
    (platform, fail, skip) => {
      setEnv({ PATH: '', require: true })
      jest.spyOn(process.stderr, 'write').mockImplementation(() => true)
      const suites = {
        age: ['age', 'age-keygen'],
        registry: ['docker-registry', 'openssl'],
        PostgreSQL: ['initdb', 'postgres']
      } as const
      for (const [name, tools] of Object.entries(suites)) {
        const run = (): boolean => toolsPresent(`the ${name} tests`, [...tools], platform)
        if ((fail as readonly string[]).includes(name)) expect(run).toThrow(`the ${name} tests cannot run: `)
        else expect(run()).toBe(false)
      }
      expect([...fail, ...skip].sort()).toEqual(Object.keys(suites).sort())
    }
  )
})

describe('running a tool', () => {
  itOnPosix('the fake tools are sh scripts')(
    'turns a failed run into an error that names the tool, quotes its stderr and serialises to JSON',
    async () => {
      const dir = await fakeTool('openssl', 'req: unknown option', 3)
      setEnv({ PATH: dir })
      const error = (() => {
        try {
          runTool('openssl', ['req', '-x509'])
        } catch (caught) {
          return caught as Error
        }
      })()
      expect(error?.message).toBe('openssl req failed: req: unknown option')
      // Jest's --json report serialises each failure; execFileSync's own error refers to itself.
      expect(() => JSON.stringify({ error })).not.toThrow()
    }
  )

  it('says which tool is missing and how to install it', () => {
    setEnv({ PATH: '' })
    expect(() => runTool('htpasswd', ['-nbB'])).toThrow(/^htpasswd -nbB failed: htpasswd is not installed: /)
  })
})
