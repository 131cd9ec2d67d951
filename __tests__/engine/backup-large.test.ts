import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { copyFile, mkdir, readFile, stat, truncate, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer, type BackupReport, type EngineEvent } from '../../src/engine/index.js'
import { hasValidManifest } from '../../src/engine/backup/folder.js'
import { generateStore, type GeneratedStore } from '../../src/fixtures/store.js'
import { exec, issuer, listTree, tempDirs, writeJwks } from '../support/engine.js'
import { itOnLinux } from '../support/platform.js'

const dirs = tempDirs()
let root: string
let generated: GeneratedStore
let result: BackupReport
const events: EngineEvent[] = []

beforeAll(async () => {
  root = await dirs.make()
  generated = await generateStore(join(root, 'store'), issuer, {
    count: 10_000,
    seed: 11,
    catalogFile: join(root, 'catalog.csv')
  })
  const jwks = await writeJwks(root)
  // The v1 writer: its large plaintext manifest is what the bounded overwrite check reads.
  result = await createBackupRestorer(event => events.push(event)).backup({
    format: 'license-backup/v1',
    store: generated.dir,
    path: join(root, 'backup'),
    catalog: join(root, 'catalog.csv'),
    trust: { jwksFile: jwks }
  })
}, 120_000)
afterAll(() => dirs.cleanup())

describe('a 10,000-license store', () => {
  itOnLinux('sha256sum and sh are GNU coreutils, not on macOS or Windows runners')(
    'is backed up: the pack checks out with sha256sum, tar -tf and tar -xf against the manifest and the store',
    async () => {
      const path = join(root, 'backup')
      const manifest = JSON.parse(await readFile(join(path, 'manifest.json'), 'utf8'))
      const permitted = generated.licenses.filter(license => !license.restricted)
      const restricted = generated.licenses.filter(license => license.restricted)
      expect(manifest.counts.licenses).toBe(permitted.length)
      expect(manifest.counts.restricted).toBe(restricted.length)
      expect(permitted.length + restricted.length).toBe(10_000)

      const { stdout: sum } = await exec('sha256sum', [join(path, 'licenses.tar')])
      expect(sum.split(' ')[0]).toBe(manifest.pack.sha256)

      const { stdout: listing } = await exec('tar', ['-tf', join(path, 'licenses.tar')], {
        maxBuffer: 64 * 1024 * 1024
      })
      const paths = permitted.map(license => license.path).sort()
      expect(listing.trim().split('\n')).toEqual(paths)
      expect(manifest.licenses.map((license: { path: string }) => license.path)).toEqual(paths)

      const out = join(root, 'out')
      await mkdir(out)
      await exec('tar', ['-xf', join(path, 'licenses.tar'), '-C', out])
      expect(await listTree(out).then(entries => entries.filter(entry => entry.endsWith('.jwt')))).toEqual(
        paths
      )
      const { stdout: sums } = await exec(
        'sh',
        ['-c', 'cd "$1" && find . -type f -name "*.jwt" -print0 | xargs -0 sha256sum', 'sh', out],
        {
          maxBuffer: 64 * 1024 * 1024
        }
      )
      const bySum = new Map(
        sums
          .trim()
          .split('\n')
          .map(line => [line.slice(66).replace(/^\.\//, ''), line.slice(0, 64)])
      )
      for (const license of manifest.licenses) expect(bySum.get(license.path)).toBe(license.sha256)
      // Spot-check bytes against the store itself.
      for (const license of permitted.slice(0, 50)) {
        expect(
          (await readFile(join(out, license.path))).equals(await readFile(join(generated.dir, license.path)))
        ).toBe(true)
      }
    }
  )

  it('reports every restricted license, titled where the catalog knows it, and progress every 1000', () => {
    const reported = events.filter(event => event.type === 'RESTRICTED_LICENSE')
    expect(reported).toHaveLength(result.restricted.length)
    expect(reported.some(event => event.title !== undefined)).toBe(true)
    expect(reported.some(event => event.title === undefined)).toBe(true)
    const read = events.filter(event => event.type === 'PROGRESS' && event.phase === 'read')
    expect(read).toHaveLength(10)
    expect(events[0]).toEqual({ type: 'BEGIN', operation: 'backup' })
    expect(events.at(-1)).toEqual({ type: 'END', operation: 'backup' })
  })

  it('is recognised as a backup from bounded reads of its large manifest, and refused without overwrite', async () => {
    const path = join(root, 'backup')
    expect((await stat(join(path, 'manifest.json'))).size).toBeGreaterThan(1024 * 1024)
    expect(await hasValidManifest(path)).toBe(true)
    await expect(createBackupRestorer().backup({ store: generated.dir, path })).rejects.toMatchObject({
      code: 'BACKUP_EXISTS'
    })
    const manifest = await readFile(join(path, 'manifest.json'))
    const copy = async (label: string, text: Buffer, pack = true): Promise<string> => {
      const dir = join(root, label)
      await mkdir(dir)
      await writeFile(join(dir, 'manifest.json'), text)
      if (pack) await copyFile(join(path, 'licenses.tar'), join(dir, 'licenses.tar'))
      return dir
    }
    expect(await hasValidManifest(await copy('whole', manifest))).toBe(true)
    expect(await hasValidManifest(await copy('cut', manifest.subarray(0, manifest.length - 200)))).toBe(false)
    expect(await hasValidManifest(await copy('no-pack', manifest, false))).toBe(false)
    const otherFormat = Buffer.from(
      manifest.toString('utf8').replace('license-backup/v1', 'license-backup/v9')
    )
    expect(await hasValidManifest(await copy('v9', otherFormat))).toBe(false)
    const shortPack = await copy('short-pack', manifest)
    await truncate(join(shortPack, 'licenses.tar'), 1024)
    expect(await hasValidManifest(shortPack)).toBe(false)
  })
})
