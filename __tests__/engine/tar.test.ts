import { afterEach, describe, expect, it } from '@jest/globals'
import { createReadStream } from 'node:fs'
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { readTar, type TarMember } from '../../src/engine/format/tar-reader.js'
import { TAR_END, tarMember } from '../../src/engine/format/tar-writer.js'
import { exec, tempDirs } from '../support/engine.js'

const dirs = tempDirs()
afterEach(() => dirs.cleanup())

function pack(members: Array<[string, string]>): Buffer {
  return Buffer.concat([...members.flatMap(([name, data]) => tarMember(name, Buffer.from(data))), TAR_END])
}

async function readAll(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxMemberSize?: number
): Promise<TarMember[]> {
  const members: TarMember[] = []
  for await (const member of readTar(source, {
    file: 'test.tar',
    ...(maxMemberSize ? { maxMemberSize } : {})
  }))
    members.push(member)
  return members
}

const LONG = `${'d'.repeat(120)}/${'e'.repeat(90)}.jwt`
const VERY_LONG = `${'f'.repeat(200)}/${'g'.repeat(120)}.jwt`

describe('tar writer', () => {
  it('writes a tar that GNU tar lists and extracts byte for byte, with zeroed owners and times', async () => {
    const dir = await dirs.make()
    const members: Array<[string, string]> = [
      ['a/1.jwt', 'one'],
      ['b/ü.jwt', 'unicode name'],
      [LONG, 'long ustar prefix'],
      [VERY_LONG, 'pax path'],
      ['empty.jwt', '']
    ]
    await writeFile(join(dir, 'p.tar'), pack(members))
    const { stdout } = await exec('tar', ['-tvf', join(dir, 'p.tar')])
    const lines = stdout.trim().split('\n')
    expect(lines).toHaveLength(5)
    for (const line of lines) expect(line).toMatch(/^-rw-r--r-- 0\/0 .*1970-01-01 00:00 /)
    // In the C locale GNU tar escapes ü as \303\274: list in UTF-8 whatever the machine's LANG.
    const utf8 = { env: { ...process.env, LC_ALL: 'C.UTF-8' } }
    const { stdout: names } = await exec('tar', ['-tf', join(dir, 'p.tar')], utf8)
    expect(names.trim().split('\n')).toEqual(members.map(([name]) => name))
    await mkdir(join(dir, 'out'))
    await exec('tar', ['-xf', join(dir, 'p.tar'), '-C', join(dir, 'out')])
    for (const [name, data] of members) expect(await readFile(join(dir, 'out', name), 'utf8')).toBe(data)
  })

  it('is deterministic', () => {
    expect(pack([['x.jwt', 'abc']]).equals(pack([['x.jwt', 'abc']]))).toBe(true)
  })
})

describe('tar reader', () => {
  it('reads back what the writer wrote, in chunks of any size', async () => {
    const bytes = pack([
      ['a/1.jwt', 'one'],
      [VERY_LONG, 'x'.repeat(1500)],
      ['b/ü.jwt', 'two']
    ])
    const chunked = (size: number): Buffer[] =>
      Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) =>
        bytes.subarray(i * size, (i + 1) * size)
      )
    for (const size of [1, 7, 512, 100_000]) {
      const members = await readAll(chunked(size))
      expect(members.map(member => [member.name, member.data.toString()])).toEqual([
        ['a/1.jwt', 'one'],
        [VERY_LONG, 'x'.repeat(1500)],
        ['b/ü.jwt', 'two']
      ])
      expect(members[0]).toMatchObject({ size: 3, type: 'file', mode: 0o644 })
    }
  })

  it('reads tars made by GNU tar in pax, ustar and gnu formats (long names too)', async () => {
    const dir = await dirs.make()
    const src = join(dir, 'src')
    await mkdir(join(src, 'f'.repeat(200)), { recursive: true })
    await writeFile(join(src, 'a.jwt'), 'alpha')
    await writeFile(join(src, 'f'.repeat(200), 'g'.repeat(120) + '.jwt'), 'long')
    for (const format of ['posix', 'gnu', 'ustar']) {
      const names = format === 'ustar' ? ['a.jwt'] : ['a.jwt', `${'f'.repeat(200)}/${'g'.repeat(120)}.jwt`]
      const file = join(dir, `${format}.tar`)
      await exec('tar', ['--format', format, '-cf', file, '-C', src, ...names])
      const members = await readAll(createReadStream(file))
      expect(members.map(member => member.name)).toEqual(names)
      expect(members[0]!.data.toString()).toBe('alpha')
    }
  })

  it.each([
    ['a symbolic link', 'symlink', 'symbolic link'],
    ['a directory', 'dir', 'directory'],
    ['a hard link', 'hardlink', 'hard link']
  ])('rejects %s with BACKUP_CORRUPT naming the member', async (_name, kind, mention) => {
    const dir = await dirs.make()
    const src = join(dir, 'src')
    await mkdir(join(src, 'd'), { recursive: true })
    await writeFile(join(src, 'a.jwt'), 'alpha')
    const file = join(dir, 'x.tar')
    if (kind === 'symlink') {
      await symlink('a.jwt', join(src, 'l.jwt'))
      await exec('tar', ['-cf', file, '-C', src, 'a.jwt', 'l.jwt'])
    } else if (kind === 'dir') {
      await exec('tar', ['-cf', file, '-C', src, 'd'])
    } else {
      const { link } = await import('node:fs/promises')
      await link(join(src, 'a.jwt'), join(src, 'h.jwt'))
      await exec('tar', ['-cf', file, '-C', src, 'a.jwt', 'h.jwt'])
    }
    await expect(readAll(createReadStream(file))).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringContaining(mention)
    })
  })

  it.each([
    ['a bad checksum', (b: Buffer) => (b[0] = 0x41), 'checksum'],
    ['truncation', (b: Buffer) => b.subarray(0, 600), 'truncated'],
    ['a missing end marker', (b: Buffer) => b.subarray(0, b.length - 1024), 'end-of-archive'],
    [
      'garbage after the end',
      (b: Buffer) => Buffer.concat([b, Buffer.from('junk')]),
      'after the end-of-archive'
    ],
    ['a lone zero block', (b: Buffer) => b.subarray(0, b.length - 512), 'lone zero block']
  ])('rejects %s', async (_name, damage, mention) => {
    const copy = pack([['a.jwt', 'x'.repeat(700)]])
    const result = damage(copy)
    const damaged = result instanceof Buffer ? result : copy
    await expect(readAll([damaged])).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringContaining(mention)
    })
  })

  it('rejects a member over the size cap before reading its data', async () => {
    await expect(readAll([pack([['a.jwt', 'x'.repeat(100)]])], 99)).rejects.toMatchObject({
      code: 'BACKUP_CORRUPT',
      message: expect.stringContaining('member 1 ("a.jwt") is 100 bytes, over the 99-byte cap')
    })
  })
})
