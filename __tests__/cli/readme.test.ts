import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { cp, readdir, readFile, rm, symlink, mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { parse } from 'yaml'
import { createIssuer, type Issuer } from '../../src/fixtures/issuer.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { serversClosedAfterEach, tempDir, TOKEN } from '../support/service.js'
import { EXIT_CODES } from '../../src/cli/exit-codes.js'
import { buildCommand, runFile } from './built.js'

// README "Use it outside GitHub Actions": its GitLab CI pipeline and provisioning script, as printed, run
// against the reference service with the command built as users get it.
const readme = await readFile('README.md', 'utf8')

function snippet(marker: string, language: string): string {
  const found = new RegExp(`<!-- ${marker} -->\\n+\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1]
  if (found === undefined) throw new Error(`README.md has no ${language} block after <!-- ${marker} -->`)
  return found
}

let root: string
let bin: string
let issuer: Issuer
let store: GeneratedStore

beforeAll(async () => {
  root = await tempDir('lb-cli-readme-')
  const command = await buildCommand(join(root, 'build'))
  // What the pipeline's before_script does: the release's dist/cli/license-backup.js linked onto PATH.
  bin = join(root, 'bin')
  await mkdir(bin)
  await symlink(command, join(bin, 'license-backup'))
  issuer = createIssuer({ kid: 'cli-readme' })
  store = await generateStore(join(root, 'store'), issuer, { count: 8, boundShare: 0, expiredShare: 0 })
}, 120_000)

afterAll(async () => {
  await rm(root, { recursive: true, force: true })
})

const services = serversClosedAfterEach()

/** A fresh checkout: the store as `licenses/` and the issuer's keys, as the examples expect them. */
async function checkout(name: string): Promise<string> {
  const dir = join(root, name)
  await cp(store.dir, join(dir, 'licenses'), { recursive: true })
  await writeFile(join(dir, 'issuer.jwks.json'), JSON.stringify(issuer.jwks()))
  return dir
}

const kept = (): number => store.licenses.filter(l => !l.restricted).length

describe('README: Use it outside GitHub Actions', () => {
  it('runs the GitLab CI pipeline, job by job, line by line, each job in its own checkout', async () => {
    type Job = {
      script?: string[]
      before_script?: string[]
      needs?: string[]
      artifacts?: { paths?: string[] }
    }
    const pipeline = parse(snippet('gitlab-ci-example', 'yaml')) as Record<string, Job>
    expect(pipeline['default']?.before_script?.join('\n')).toContain(
      'ln -s /opt/license-backup/dist/cli/license-backup.js /usr/local/bin/license-backup'
    )
    const { server } = await services.start({ issuer })
    const env = { PATH: `${bin}:${process.env['PATH'] ?? ''}`, LMS_URL: server.url, LMS_TOKEN: TOKEN }
    const outputs: string[] = []
    const jobDirs = new Map<string, string>()
    for (const name of ['backup-licenses', 'restore-drill']) {
      // As GitLab runs a job: a fresh checkout, with the artifacts of the jobs it needs put in place.
      const dir = await checkout(`gitlab-${name}`)
      for (const needed of pipeline[name]?.needs ?? []) {
        for (const path of pipeline[needed]?.artifacts?.paths ?? [])
          await cp(join(jobDirs.get(needed) ?? '', path), join(dir, path), { recursive: true })
      }
      jobDirs.set(name, dir)
      for (const line of pipeline[name]?.script ?? []) {
        const ran = await runFile('/bin/sh', ['-ec', line], dir, env)
        expect({ line, code: ran.code, stderr: ran.stderr }).toEqual({ line, code: 0, stderr: '' })
        outputs.push(ran.stdout)
      }
    }
    expect(pipeline['restore-drill']?.needs).toEqual(['backup-licenses'])
    expect(pipeline['backup-licenses']?.artifacts?.paths).toEqual(['backup/'])
    const text = outputs.join('')
    expect(text).toContain(`licenses: ${kept()}, restricted: ${store.licenses.length - kept()}`)
    expect(text).toContain(`Restored ${kept()} license(s) into drill`)
    expect(text).toContain(`Released ${kept()} license(s) of machine`)
    expect(text).not.toContain(TOKEN)
  })

  it('runs the provisioning script: a restore, and a refused token passed on as its exit code', async () => {
    const { server } = await services.start({ issuer })
    const dir = await checkout('provision')
    const backup = join(dir, 'backup')
    const env = { PATH: `${bin}:${process.env['PATH'] ?? ''}` }
    expect(
      (await runFile('license-backup', ['backup', '--store', 'licenses', '--path', backup], dir, env)).code
    ).toBe(0)
    const script = join(dir, 'provision-licenses.sh')
    await writeFile(script, snippet('provisioning-example', 'sh'), { mode: 0o755 })
    const machine = {
      ...env,
      LICENSE_STORE: join(dir, 'machine'),
      TRUST_JWKS: join(dir, 'issuer.jwks.json'),
      LMS_URL: server.url
    }

    const refused = await runFile('/bin/sh', [script, backup], dir, {
      ...machine,
      LMS_TOKEN: 'not-the-token-0123'
    })
    expect(refused.code).toBe(EXIT_CODES.UNAUTHORIZED)
    expect(refused.stderr).toContain('[UNAUTHORIZED]')

    const ran = await runFile('/bin/sh', [script, backup], dir, { ...machine, LMS_TOKEN: TOKEN })
    expect(ran.stderr).toBe('')
    expect(ran.code).toBe(0)
    expect(ran.stdout).toContain(`licenses restored into ${join(dir, 'machine')}`)
    const restored = await readdir(join(dir, 'machine'), { recursive: true })
    expect(restored.filter(f => f.endsWith('.jwt'))).toHaveLength(kept())

    // A second machine, past a restore limit of one: the script's own message, and exit 1 (not retryable).
    const limited = await services.start({ issuer, restoreLimit: 1 })
    const first = { ...machine, LMS_URL: limited.server.url, LMS_TOKEN: TOKEN }
    expect(
      (await runFile('/bin/sh', [script, backup], dir, { ...first, LICENSE_STORE: join(dir, 'm1') })).code
    ).toBe(0)
    const full = await runFile('/bin/sh', [script, backup], dir, { ...first, LICENSE_STORE: join(dir, 'm2') })
    expect(full.code).toBe(1)
    expect(full.stderr).toContain('[RESTORE_LIMIT]')
    expect(full.stderr).toContain('a license is on as many machines as allowed: release it on one first')
  })
})
