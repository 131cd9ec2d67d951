import { createReadStream } from 'node:fs'
import { open, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { createInflateRaw, crc32 } from 'node:zlib'
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
 * `manifest.json` and the pack are extracted, nothing else is written; each is inflated as a stream that
 * stops at the size its entry declares, the pack's declared size must be the manifest's `pack.size`, and
 * an entry that claims more than 200 bytes out per byte in (a zip bomb) is refused before it is inflated.
 * The CRC-32 of each is checked. The engine then verifies the backup as it verifies any other.
 */
const EOCD = 0x06054b50
const CENTRAL = 0x02014b50
const LOCAL = 0x04034b50
const MAX_RATIO = 200
const MAX_ENTRIES = 64

interface Entry {
  name: string
  method: number
  flags: number
  crc: number
  compressedSize: number
  size: number
  localOffset: number
}

export async function extractBackup(zipFile: string, into: string, artifact: string): Promise<void> {
  const entries = await readCentralDirectory(zipFile, artifact)
  const manifestEntry = single(entries, MANIFEST_FILE, artifact)
  if (!manifestEntry) throw bad(artifact, `it has no ${MANIFEST_FILE}, so it is not a backup`)
  if (manifestEntry.size > MAX_MANIFEST_BYTES) {
    throw bad(
      artifact,
      `its ${MANIFEST_FILE} declares ${manifestEntry.size} bytes, over the ${MAX_MANIFEST_BYTES}-byte cap`
    )
  }
  // Bounded by the pack the zip holds, before the manifest is even inflated (ADR 0068).
  const packBytes = Math.max(0, ...entries.filter(entry => isPackName(entry.name)).map(entry => entry.size))
  if (manifestEntry.size > manifestByteLimit(packBytes)) {
    throw bad(
      artifact,
      `its ${MANIFEST_FILE} declares ${manifestEntry.size} bytes, over the ${manifestByteLimit(packBytes)}-byte cap for a ${packBytes}-byte pack`
    )
  }
  await extractEntry(zipFile, manifestEntry, join(into, MANIFEST_FILE), artifact)
  // The signature, when there is one; the engine decides whether one is needed.
  const signature = single(entries, SIGNATURE_FILE, artifact)
  if (signature && signature.size <= MAX_SIGNATURE_BYTES)
    await extractEntry(zipFile, signature, join(into, SIGNATURE_FILE), artifact)
  const pack = packOf(await readFile(join(into, MANIFEST_FILE), 'utf8'))
  // A manifest that cannot be read names no pack: the engine reports what is wrong with it.
  if (!pack) return
  const packEntry = single(entries, pack.file, artifact)
  if (!packEntry) return
  if (packEntry.size !== pack.size) {
    throw bad(artifact, `its ${pack.file} declares ${packEntry.size} bytes, the manifest says ${pack.size}`)
  }
  await extractEntry(zipFile, packEntry, join(into, pack.file), artifact)
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

async function readCentralDirectory(zipFile: string, artifact: string): Promise<Entry[]> {
  const handle = await open(zipFile, 'r')
  try {
    const { size } = await handle.stat()
    const tailLength = Math.min(size, 22 + 0xffff)
    const tail = Buffer.alloc(tailLength)
    await handle.read(tail, 0, tailLength, size - tailLength)
    let at = -1
    for (let i = tailLength - 22; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD) {
        at = i
        break
      }
    }
    if (at < 0) throw bad(artifact, 'it is not a zip (no end-of-central-directory record)')
    const count = tail.readUInt16LE(at + 10)
    const directorySize = tail.readUInt32LE(at + 12)
    const directoryOffset = tail.readUInt32LE(at + 16)
    if (count === 0xffff || directoryOffset === 0xffffffff)
      throw bad(artifact, 'it is a ZIP64 archive, larger than any backup artifact')
    if (count > MAX_ENTRIES) throw bad(artifact, `it has ${count} entries; a backup has two`)
    if (directoryOffset + directorySize > size) throw bad(artifact, 'its central directory lies past its end')
    const directory = Buffer.alloc(directorySize)
    await handle.read(directory, 0, directorySize, directoryOffset)
    const entries: Entry[] = []
    let p = 0
    for (let i = 0; i < count; i++) {
      if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL)
        throw bad(artifact, `its central directory entry ${i + 1} is damaged`)
      const nameLength = directory.readUInt16LE(p + 28)
      const entry: Entry = {
        flags: directory.readUInt16LE(p + 8),
        method: directory.readUInt16LE(p + 10),
        crc: directory.readUInt32LE(p + 16),
        compressedSize: directory.readUInt32LE(p + 20),
        size: directory.readUInt32LE(p + 24),
        localOffset: directory.readUInt32LE(p + 42),
        name: directory.toString('utf8', p + 46, p + 46 + nameLength)
      }
      entries.push(entry)
      p += 46 + nameLength + directory.readUInt16LE(p + 30) + directory.readUInt16LE(p + 32)
    }
    return entries
  } finally {
    await handle.close()
  }
}

async function extractEntry(zipFile: string, entry: Entry, target: string, artifact: string): Promise<void> {
  const what = `${entry.name} in artifact "${artifact}"`
  if (entry.flags & 0x1) throw bad(artifact, `${entry.name} is encrypted with zip encryption`)
  if (entry.method !== 0 && entry.method !== 8)
    throw bad(artifact, `${entry.name} uses compression method ${entry.method}`)
  if (entry.size > Math.max(64 * 1024, entry.compressedSize * MAX_RATIO)) {
    throw bad(
      artifact,
      `${entry.name} would inflate ${entry.compressedSize} bytes into ${entry.size} (a zip bomb)`
    )
  }
  const start = await dataStart(zipFile, entry, artifact)
  let written = 0
  let crc = 0
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      written += chunk.length
      if (written > entry.size) {
        done(bad(artifact, `${entry.name} inflates past the ${entry.size} bytes it declares (a zip bomb)`))
        return
      }
      crc = crc32(chunk, crc)
      done(null, chunk)
    }
  })
  const source = createReadStream(zipFile, { start, end: start + entry.compressedSize - 1 })
  const out = await open(target, 'wx', 0o600)
  try {
    const sink = out.createWriteStream()
    if (entry.method === 8) await pipeline(source, createInflateRaw(), limit, sink)
    else await pipeline(source, limit, sink)
  } catch (error) {
    if (error instanceof LicenseBackupError) throw error
    throw bad(artifact, `${what} cannot be inflated (${(error as Error).message})`)
  } finally {
    await out.close().catch(() => {})
  }
  if (written !== entry.size)
    throw bad(artifact, `${what} holds ${written} bytes, its entry says ${entry.size}`)
  if (crc >>> 0 !== entry.crc) throw bad(artifact, `the CRC-32 of ${what} does not match`)
}

async function dataStart(zipFile: string, entry: Entry, artifact: string): Promise<number> {
  const handle = await open(zipFile, 'r')
  try {
    const header = Buffer.alloc(30)
    await handle.read(header, 0, 30, entry.localOffset)
    if (header.readUInt32LE(0) !== LOCAL) throw bad(artifact, `the local header of ${entry.name} is damaged`)
    return entry.localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28)
  } finally {
    await handle.close()
  }
}

function bad(artifact: string, problem: string): LicenseBackupError {
  return new LicenseBackupError(
    'BACKUP_CORRUPT',
    `Artifact "${artifact}" cannot be trusted: ${problem}. Nothing was restored; restore from another backup.`
  )
}
