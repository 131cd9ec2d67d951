import { open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { crc32 } from 'node:zlib'
import yauzl, { type Entry as ZipEntry, type ZipFile } from 'yauzl'
import {
  ENCRYPTED_PACK_FILE,
  LicenseBackupError,
  MANIFEST_FILE,
  manifestByteLimit,
  MAX_MANIFEST_BYTES,
  MAX_SIGNATURE_BYTES,
  PACK_FILE,
  PACK_FILES_V2,
  SIGNATURE_FILE
} from '../../engine/index.js'

/**
 * Takes a backup out of a downloaded artifact zip, treating the zip as hostile (ADR 0034): only
 * `manifest.json`, its signature `manifest.json.sig` (when there is one) and the pack are extracted,
 * nothing else is written; each is inflated as a stream that stops at the size its entry declares, the
 * pack's declared size must be the manifest's `pack.size`, and an entry that claims more than 200 bytes
 * out per byte in (a zip bomb) is refused before it is inflated.
 * The CRC-32 of each is checked. yauzl reads the zip's structure (ADR 0144); the policy is this file's.
 * The engine then verifies the backup as it verifies any other.
 */
const MAX_RATIO = 200
const MAX_ENTRIES = 64

/** An entry of the zip's central directory, its name decoded. */
interface Entry {
  name: string
  zipped: ZipEntry
}

export async function extractBackup(zipFile: string, into: string, artifact: string): Promise<void> {
  const zip = await openZip(zipFile, artifact)
  try {
    await extractFrom(zip, into, artifact)
  } finally {
    zip.close()
  }
}

async function extractFrom(zip: ZipFile, into: string, artifact: string): Promise<void> {
  const entries = await readEntries(zip, artifact)
  const manifestEntry = single(entries, MANIFEST_FILE, artifact)
  if (!manifestEntry) throw bad(artifact, `it has no ${MANIFEST_FILE}, so it is not a backup`)
  if (manifestEntry.zipped.uncompressedSize > MAX_MANIFEST_BYTES) {
    throw bad(
      artifact,
      `its ${MANIFEST_FILE} declares ${manifestEntry.zipped.uncompressedSize} bytes, over the ${MAX_MANIFEST_BYTES}-byte cap`
    )
  }
  // Bounded by the pack the zip holds, before the manifest is even inflated (ADR 0068).
  const packBytes = Math.max(
    0,
    ...entries.filter(entry => isPackName(entry.name)).map(entry => entry.zipped.uncompressedSize)
  )
  if (manifestEntry.zipped.uncompressedSize > manifestByteLimit(packBytes)) {
    throw bad(
      artifact,
      `its ${MANIFEST_FILE} declares ${manifestEntry.zipped.uncompressedSize} bytes, over the ${manifestByteLimit(packBytes)}-byte cap for a ${packBytes}-byte pack`
    )
  }
  await extractEntry(zip, manifestEntry, join(into, MANIFEST_FILE), artifact)
  // The signature, when there is one; the engine decides whether one is needed.
  const signature = single(entries, SIGNATURE_FILE, artifact)
  if (signature && signature.zipped.uncompressedSize <= MAX_SIGNATURE_BYTES)
    await extractEntry(zip, signature, join(into, SIGNATURE_FILE), artifact)
  const pack = packOf(await readFile(join(into, MANIFEST_FILE), 'utf8'))
  // A manifest that cannot be read names no pack: the engine reports what is wrong with it.
  if (!pack) return
  const packEntry = single(entries, pack.file, artifact)
  if (!packEntry) return
  if (packEntry.zipped.uncompressedSize !== pack.size) {
    throw bad(
      artifact,
      `its ${pack.file} declares ${packEntry.zipped.uncompressedSize} bytes, the manifest says ${pack.size}`
    )
  }
  await extractEntry(zip, packEntry, join(into, pack.file), artifact)
}

const PACK_NAMES = new Set([PACK_FILE, ENCRYPTED_PACK_FILE, ...PACK_FILES_V2])

function packOf(text: string): { file: string; size: number } | undefined {
  try {
    const pack = (JSON.parse(text) as { pack?: { file?: unknown; size?: unknown } }).pack
    if (isPackName(pack?.file) && typeof pack?.size === 'number') {
      return { file: pack.file, size: pack.size }
    }
  } catch {
    // Left to the engine's manifest check, which names the problem.
  }
  return undefined
}

function isPackName(name: unknown): name is string {
  return typeof name === 'string' && PACK_NAMES.has(name)
}

function single(entries: Entry[], name: string, artifact: string): Entry | undefined {
  const found = entries.filter(entry => entry.name === name)
  if (found.length > 1) throw bad(artifact, `it holds ${name} ${found.length} times`)
  return found[0]
}

function openZip(zipFile: string, artifact: string): Promise<ZipFile> {
  // Names stay bytes (decodeStrings off): a hostile name is never extracted, only compared. Sizes are
  // checked by the limit below, which says what is wrong in this file's words.
  const options = { lazyEntries: true, autoClose: false, decodeStrings: false, validateEntrySizes: false }
  return new Promise((resolve, reject) => {
    yauzl.open(zipFile, options, (error, zip) => {
      if (error) reject(bad(artifact, `it is not a zip that can be read (${error.message})`))
      else resolve(zip)
    })
  })
}

function readEntries(zip: ZipFile, artifact: string): Promise<Entry[]> {
  if (zip.entryCount > MAX_ENTRIES)
    throw bad(
      artifact,
      `it has ${zip.entryCount} entries; a backup has at most three: ${MANIFEST_FILE}, ${SIGNATURE_FILE} and its pack`
    )
  return new Promise((resolve, reject) => {
    const entries: Entry[] = []
    zip.on('entry', (zipped: ZipEntry) => {
      entries.push({ name: (zipped.fileName as unknown as Buffer).toString('utf8'), zipped })
      zip.readEntry()
    })
    zip.on('end', () => resolve(entries))
    zip.on('error', (error: Error) =>
      reject(bad(artifact, `its central directory is damaged (${error.message})`))
    )
    zip.readEntry()
  })
}

function openEntry(zip: ZipFile, entry: Entry, artifact: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry.zipped, (error, stream) => {
      if (error) reject(bad(artifact, `${entry.name} cannot be read (${error.message})`))
      else resolve(stream)
    })
  })
}

async function extractEntry(zip: ZipFile, entry: Entry, target: string, artifact: string): Promise<void> {
  const what = `${entry.name} in artifact "${artifact}"`
  const { compressedSize, uncompressedSize: size, compressionMethod, crc32: expectedCrc } = entry.zipped
  if (entry.zipped.isEncrypted()) throw bad(artifact, `${entry.name} is encrypted with zip encryption`)
  if (compressionMethod !== 0 && compressionMethod !== 8)
    throw bad(artifact, `${entry.name} uses compression method ${compressionMethod}`)
  if (size > Math.max(64 * 1024, compressedSize * MAX_RATIO)) {
    throw bad(artifact, `${entry.name} would inflate ${compressedSize} bytes into ${size} (a zip bomb)`)
  }
  let written = 0
  let crc = 0
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      written += chunk.length
      if (written > size) {
        done(bad(artifact, `${entry.name} inflates past the ${size} bytes it declares (a zip bomb)`))
        return
      }
      crc = crc32(chunk, crc)
      done(null, chunk)
    }
  })
  const source = await openEntry(zip, entry, artifact)
  const out = await open(target, 'wx', 0o600)
  try {
    await pipeline(source, limit, out.createWriteStream())
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error
    throw bad(artifact, `${what} cannot be inflated (${(error as Error).message})`)
  } finally {
    await out.close().catch(() => {})
  }
  if (written !== size) throw bad(artifact, `${what} holds ${written} bytes, its entry says ${size}`)
  if (crc >>> 0 !== expectedCrc) throw bad(artifact, `the CRC-32 of ${what} does not match`)
}

function bad(artifact: string, problem: string): LicenseBackupError {
  return new LicenseBackupError(
    'BACKUP_CORRUPT',
    `Artifact "${artifact}" cannot be trusted: ${problem}. Nothing was restored; restore from another backup.`
  )
}
