import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import { IndexSpool } from '../../src/engine/backup/index-spool.js'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lb-spool-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

const lines = Array.from(
  { length: 12_000 },
  (_, i) =>
    `,\n{"jti":"lic-${i}","sha256":"${(i * 2654435761).toString(16).padStart(64, '0')}","size":${400 + (i % 50)}}`
)

describe('the index spool of a gzip pack (ADR 0147)', () => {
  it('holds gzip members that give the lines back, byte for byte, whatever the timing', async () => {
    // All at once: more runs than may deflate on the thread pool, so some are deflated on this thread.
    const burst = IndexSpool.open(dir, 'burst', true)
    for (const line of lines) burst.add(line)
    const burstSize = await burst.finish()
    // One run at a time, each deflated on the thread pool before the next is spooled.
    const paced = IndexSpool.open(dir, 'paced', true)
    for (const [i, line] of lines.entries()) {
      paced.add(line)
      if (i % 500 === 0) await new Promise(resolve => setImmediate(resolve))
    }
    const pacedSize = await paced.finish()

    const text = lines.join('')
    expect(burstSize).toEqual({
      bytes: Buffer.byteLength(text),
      stored: (await stat(burst.file)).size,
      gzipped: true
    })
    expect(burst.text()).toBe(text)
    const burstBytes = await readFile(burst.file)
    expect(gunzipSync(burstBytes).toString()).toBe(text)
    expect(await readFile(paced.file)).toEqual(burstBytes)
    expect(pacedSize).toEqual(burstSize)
    // More than one member: each starts with the gzip magic and the Unix OS byte.
    const members = burstBytes.toString('latin1').split('\x1f\x8b\x08').length - 1
    expect(members).toBeGreaterThan(4)
    expect(burstBytes[9]).toBe(3)
  })

  it('an empty spool reads as no text, gzipped or not', async () => {
    for (const gzipped of [true, false]) {
      const spool = IndexSpool.open(dir, `empty-${gzipped}`, gzipped)
      expect(await spool.finish()).toEqual({ bytes: 0, stored: 0, gzipped })
      expect(spool.text()).toBe('')
    }
  })
})
