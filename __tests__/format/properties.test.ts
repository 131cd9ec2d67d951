import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { createBackupRestorer, LicenseBackupError, parseSigningKey } from '../../src/engine/index.js'
import { parseIndex } from '../../src/engine/format/pack-index.js'
import { parseAllowedSigners } from '../../src/engine/format/ssh/allowed-signers.js'
import { parseSignature, signatureProblem, signMessage } from '../../src/engine/format/ssh/sshsig.js'
import { gunzipBounded } from '../../src/engine/format/gzip.js'
import {
  INDEX_HEAD,
  INDEX_MIDDLE,
  INDEX_TAIL,
  IndexParser,
  licenseIndexLine,
  restrictedIndexLine
} from '../../src/engine/format/pack-index.js'
import { WireError } from '../../src/engine/format/ssh/wire.js'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { createLicenseServer, type LicenseServer } from '../../packages/license-server/src/license-server.js'
import { registerSecret } from '../support/secret-scan.js'
import { sshKey, type SshKey } from './support.js'

// Issue 11: the new parsers (SSH keys and signatures, allowed_signers, gzip streams, the pack index) fail
// only with their own errors on any input, and what they accept round-trips.
let dir: string
let key: SshKey

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lb-v2-props-'))
  key = await sshKey(dir)
})
afterAll(async () => rm(dir, { recursive: true, force: true }))

async function onlyOurErrors(
  f: () => unknown,
  ours: Array<new (...args: never[]) => Error> = [LicenseBackupError]
): Promise<void> {
  try {
    await f()
  } catch (error) {
    if (!ours.some(kind => error instanceof kind)) throw error
  }
}

/** Bytes with a few of them flipped, inserted or cut. */
function mutatedBytes(valid: Buffer): fc.Arbitrary<Buffer> {
  const edit = fc.tuple(fc.nat(), fc.constantFrom('flip', 'insert', 'cut'), fc.integer({ min: 1, max: 255 }))
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map(edits => {
    let bytes = Buffer.from(valid)
    for (const [at, kind, value] of edits) {
      const i = at % (bytes.length + 1)
      if (kind === 'flip' && i < bytes.length) bytes[i] = bytes[i]! ^ value
      if (kind === 'insert')
        bytes = Buffer.concat([bytes.subarray(0, i), Buffer.from([value]), bytes.subarray(i)])
      if (kind === 'cut') bytes = Buffer.concat([bytes.subarray(0, i), bytes.subarray(i + 1)])
    }
    return bytes
  })
}

const armored = (begin: string, body: Buffer): string =>
  `-----BEGIN ${begin}-----\n${body.toString('base64')}\n-----END ${begin}-----\n`
const bodyOf = (text: string): Buffer => Buffer.from(text.trim().split('\n').slice(1, -1).join(''), 'base64')

describe('the v2 parsers fail only with their own errors', () => {
  it('parseSigningKey: arbitrary text and mutated real keys are CONFIG_INVALID, or a key that signs', async () => {
    const real = bodyOf(key.text)
    const input = fc.oneof(
      fc.string({ maxLength: 400 }),
      mutatedBytes(real).map(bytes => armored('OPENSSH PRIVATE KEY', bytes))
    )
    await fc.assert(
      fc.asyncProperty(input, async text =>
        onlyOurErrors(() => {
          const parsed = parseSigningKey(text, 'the test variable')
          // Accepted: its signature verifies under the public key it states.
          const signature = parseSignature(signMessage(Buffer.from('m'), parsed))
          expect(signatureProblem(signature, Buffer.from('m'))).toBeUndefined()
        })
      ),
      { numRuns: 300 }
    )
  })

  it('parseSignature: arbitrary text and mutated real signatures are a WireError, or never verify other bytes', async () => {
    const message = Buffer.from('{"format":"license-backup/v2"}\n')
    const real = signMessage(message, parseSigningKey(key.text, 'k'))
    const input = fc.oneof(
      fc.string({ maxLength: 400 }),
      mutatedBytes(bodyOf(real)).map(b => armored('SSH SIGNATURE', b))
    )
    await fc.assert(
      fc.asyncProperty(input, async text =>
        onlyOurErrors(() => {
          const signature = parseSignature(text)
          expect(signatureProblem(signature, Buffer.from('{"format":"license-backup/v3"}\n'))).toBeDefined()
        }, [WireError])
      ),
      { numRuns: 300 }
    )
  })

  it('parseAllowedSigners: arbitrary lines are parsed or skipped with their line, never thrown', async () => {
    const line = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.constantFrom(key.publicLine, `a ${key.publicLine}`, `"a b" namespaces="x,y" ${key.publicLine}`)
    )
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 5 }), async lines =>
        onlyOurErrors(() => {
          const { signers, skipped } = parseAllowedSigners(lines.join('\n'))
          for (const { line } of [...signers, ...skipped]) expect(line).toBeLessThanOrEqual(lines.length)
        })
      ),
      { numRuns: 300 }
    )
  })

  it('parseIndex: arbitrary bytes and JSON are BACKUP_CORRUPT or an index of well-typed entries', async () => {
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 200 }).map(b => Buffer.from(b)),
      fc.json().map(text => Buffer.from(text)),
      fc
        .record({
          licenses: fc.array(fc.anything(), { maxLength: 3 }),
          restricted: fc.array(fc.anything(), { maxLength: 3 })
        })
        .map(value => Buffer.from(JSON.stringify(value)))
    )
    await fc.assert(
      fc.asyncProperty(input, async bytes =>
        onlyOurErrors(() => {
          const index = parseIndex(bytes, 'index.json')
          for (const entry of index.licenses) expect(typeof entry.path).toBe('string')
        })
      ),
      { numRuns: 500 }
    )
  })

  it('the index as written (its lines, then its tail) parses back to the same entries, whatever their text and wherever its stream is cut', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 20 })
    const license = fc.record({
      jti: text,
      key_id: text,
      path: text,
      sha256: fc.stringMatching(/^[0-9a-f]{64}$/),
      size: fc.nat()
    })
    const restricted = fc.record({ jti: text, key_id: text, title: fc.option(text, { nil: undefined }) })
    await fc.assert(
      fc.asyncProperty(
        fc.array(license, { maxLength: 5 }),
        fc.array(restricted, { maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        async (l, r, cuts) => {
          const index = {
            licenses: l,
            restricted: r.map(e => (e.title === undefined ? { jti: e.jti, key_id: e.key_id } : e))
          }
          const lines = l.map((e, i) => licenseIndexLine(e, i === 0)).join('')
          const tail = index.restricted.map((e, i) => restrictedIndexLine(e, i === 0)).join('')
          const bytes = Buffer.from(INDEX_HEAD + lines + INDEX_MIDDLE + tail + INDEX_TAIL)
          expect(parseIndex(bytes, 'index.json')).toEqual(index)
          // Streamed in pieces cut anywhere (inside a UTF-8 character too), it gives the same entries.
          const at = [...new Set(cuts.map(c => c % (bytes.length + 1)))].sort((a, b) => a - b)
          const parser = new IndexParser('index.json')
          const streamed: typeof index = { licenses: [], restricted: [] }
          for (const [i, from] of [0, ...at].entries()) {
            for (const item of parser.push(bytes.subarray(from, at[i] ?? bytes.length))) {
              if (item.list === 'licenses') streamed.licenses.push(item.entry)
              else if (item.list === 'restricted') streamed.restricted.push(item.entry)
            }
          }
          parser.end()
          expect(streamed).toEqual(index)
        }
      ),
      { numRuns: 300 }
    )
  })

  it('gunzipBounded: gives back what gzip took, stops past the bound, and fails damaged streams with BACKUP_CORRUPT', async () => {
    const source = (bytes: Buffer): AsyncIterable<Uint8Array> =>
      (async function* () {
        yield bytes
      })()
    const gunzip = async (bytes: Buffer, bound: number): Promise<Buffer> => {
      const chunks: Buffer[] = []
      for await (const chunk of gunzipBounded(source(bytes), bound, 'pack')) chunks.push(chunk)
      return Buffer.concat(chunks)
    }
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 4000 }), async data => {
        const plain = Buffer.from(data)
        const gz = gzipSync(plain)
        expect((await gunzip(gz, plain.length)).equals(plain)).toBe(true)
        if (plain.length > 0)
          await expect(gunzip(gz, plain.length - 1)).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' })
      }),
      { numRuns: 200 }
    )
    await fc.assert(
      fc.asyncProperty(mutatedBytes(gzipSync(Buffer.from('x'.repeat(3000)))), async bytes =>
        onlyOurErrors(() => gunzip(bytes, 3000))
      ),
      { numRuns: 200 }
    )
  })
})

describe('a v2 backup round-trips', () => {
  const TOKEN = 'v2-props-token-61ad0c'
  registerSecret(TOKEN)
  let server: LicenseServer
  const issuer = createIssuer({ kid: 'v2-props' })
  beforeAll(async () => {
    server = await createLicenseServer({ issuer, database: join(dir, 'state.db'), tokens: [TOKEN] })
  })
  afterAll(async () => server.close())

  it('backup (gzip or none) then restore gives back the same bytes-for-claims per path; restricted never packed', async () => {
    const spec = fc.uniqueArray(
      fc.record({ name: fc.stringMatching(/^[a-z]{1,8}$/), backup: fc.boolean() }),
      { minLength: 1, maxLength: 6, selector: s => s.name }
    )
    let run = 0
    await fc.assert(
      fc.asyncProperty(
        spec,
        fc.constantFrom('gzip', 'none') as fc.Arbitrary<'gzip' | 'none'>,
        async (licenses, compression) => {
          const root = join(dir, `run-${++run}`)
          for (const [i, l] of licenses.entries()) {
            const text = issuer.sign({
              jti: `p-${run}-${i}`,
              key_id: 'k',
              iss: issuer.iss,
              iat: 1,
              rights: { backup: l.backup }
            })
            await mkdir(join(root, 'store', 'd'), { recursive: true })
            await writeFile(join(root, 'store', 'd', `${l.name}.jwt`), text)
          }
          const engine = createBackupRestorer()
          const made = await engine.backup({
            store: join(root, 'store'),
            path: join(root, 'backup'),
            compression,
            sign: { key: key.text, source: 'k' }
          })
          const allowed = licenses.filter(l => l.backup)
          expect(made.backedUp).toBe(allowed.length)
          if (allowed.length === 0) return
          const result = await engine.restore({
            store: join(root, 'target'),
            path: join(root, 'backup'),
            service: { url: server.url, token: TOKEN },
            individualize: true
          })
          expect(result.restored).toBe(allowed.length)
          for (const l of allowed) {
            const text = await readFile(join(root, 'target', 'd', `${l.name}.jwt`), 'utf8')
            expect(JSON.parse(Buffer.from(text.split('.')[1]!, 'base64url').toString()).rights).toEqual({
              backup: true
            })
          }
        }
      ),
      { numRuns: 8 }
    )
  })
})
