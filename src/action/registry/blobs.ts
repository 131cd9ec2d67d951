import { createHash } from 'node:crypto'
import { open, rm, type FileHandle } from 'node:fs/promises'
import { LicenseBackupError } from '../../engine/index.js'
import type { RegistryClient } from './client.js'
import { TransientRegistryError } from './transient.js'

export interface Descriptor {
  mediaType: string
  digest: string
  size: number
  annotations?: Record<string, string>
}

/** Monolithic upload up to this size; larger blobs go up in PATCH chunks of it. */
export const DEFAULT_CHUNK_SIZE = 64 * 1024 * 1024
/** GHCR refuses PATCH chunks over 4 MiB (416); so does any registry that answers 416 to a larger one. */
export const SMALL_CHUNK_SIZE = 4 * 1024 * 1024

/** A file is read for its digest, and for an upload, this many bytes at a time. */
const READ_SIZE = 1024 * 1024
/** A download's chunks are written to its file in batches of about this many bytes, */
const WRITE_BATCH = 1024 * 1024
/** at most this many batches at once, each at its own offset, so the socket is read while they go. */
const WRITES_IN_FLIGHT = 4

/** A PATCH chunk the registry refused as too large (416): the upload starts over in 4 MiB chunks. */
class ChunkTooLarge extends Error {
  constructor(readonly refusal: LicenseBackupError) {
    super(refusal.message)
  }
}

/**
 * `sha256:<hex>` and size of a file, read through one reused 1 MiB buffer: a stream's fresh buffer per
 * read made a 100 MB digest a garbage collection's work (ADR 0240).
 */
export async function digestFile(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256')
  const buffer = Buffer.allocUnsafe(READ_SIZE)
  const handle = await open(file, 'r')
  let size = 0
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_SIZE, size)
      if (bytesRead === 0) break
      hash.update(buffer.subarray(0, bytesRead))
      size += bytesRead
    }
  } finally {
    await handle.close()
  }
  return { digest: `sha256:${hash.digest('hex')}`, size }
}

export interface PushBlobOptions {
  /** Another repository on the same registry that holds the blob: mounted from there when offered. */
  mountFrom?: string
  chunkSize?: number
}

export type BlobPushed = 'present' | 'mounted' | 'uploaded'

/**
 * Puts a file into the repository as the blob `digest` unless it is there already: a cross-repository
 * mount when a source is known and the registry offers it, else an upload streamed from disk (one PUT,
 * or PATCH chunks for a large file). A transient failure starts the upload over in a new session.
 */
export async function pushBlob(
  client: RegistryClient,
  file: string | Buffer,
  blob: { digest: string; size: number },
  options: PushBlobOptions = {}
): Promise<BlobPushed> {
  const chunkSize = options.chunkSize ?? (client.ghcr ? SMALL_CHUNK_SIZE : DEFAULT_CHUNK_SIZE)
  try {
    return await pushBlobIn(client, file, blob, options.mountFrom, chunkSize)
  } catch (error) {
    if (!(error instanceof ChunkTooLarge)) throw error
    if (chunkSize <= SMALL_CHUNK_SIZE) throw error.refusal
    return pushBlobIn(client, file, blob, options.mountFrom, SMALL_CHUNK_SIZE).catch((again: unknown) => {
      throw again instanceof ChunkTooLarge ? again.refusal : again
    })
  }
}

async function pushBlobIn(
  client: RegistryClient,
  file: string | Buffer,
  blob: { digest: string; size: number },
  mountFrom: string | undefined,
  chunkSize: number
): Promise<BlobPushed> {
  return client.retrying(`the upload of blob ${blob.digest}`, async () => {
    const head = await client.exchange({ method: 'HEAD', url: client.path(`blobs/${blob.digest}`) })
    if (head.ok) return 'present'
    const mount = mountFrom
      ? `?mount=${encodeURIComponent(blob.digest)}&from=${encodeURIComponent(mountFrom)}`
      : ''
    const start = await client.exchange({ method: 'POST', url: client.path(`blobs/uploads/${mount}`) })
    if (start.status === 201 && mount) {
      await start.body?.cancel()
      return 'mounted'
    }
    const location = await uploadLocation(client, start, 'starting a blob upload')
    const whole = blob.size <= chunkSize
    const final = whole ? location : await uploadChunks(client, location, file, blob.size, chunkSize)
    const put = await client.exchange({
      method: 'PUT',
      url: withDigest(final, blob.digest),
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(whole ? blob.size : 0)
      },
      ...(whole ? { body: () => bodyOf(file, 0, blob.size), streamed: true, size: blob.size } : {})
    })
    if (put.status !== 201) throw await client.unexpected(put, `the upload of blob ${blob.digest}`)
    await put.body?.cancel()
    return 'uploaded'
  })
}

async function uploadChunks(
  client: RegistryClient,
  location: string,
  file: string | Buffer,
  size: number,
  chunkSize: number
): Promise<string> {
  let url = location
  for (let offset = 0; offset < size; offset += chunkSize) {
    const end = Math.min(size, offset + chunkSize)
    const patch = await client.exchange({
      method: 'PATCH',
      url,
      headers: {
        'content-type': 'application/octet-stream',
        'content-length': String(end - offset),
        'content-range': `${offset}-${end - 1}`
      },
      body: () => bodyOf(file, offset, end),
      streamed: true,
      size: end - offset
    })
    const what = `a chunk of a blob upload (bytes ${offset}-${end - 1})`
    if (patch.status === 416) throw new ChunkTooLarge(await client.unexpected(patch, what))
    url = await uploadLocation(client, patch, what)
  }
  return url
}

async function uploadLocation(client: RegistryClient, response: Response, what: string): Promise<string> {
  const location = response.headers.get('location')
  if (response.status !== 202 || !location) throw await client.unexpected(response, what)
  await response.body?.cancel()
  return client.follow(location, client.origin, `gave the upload location`)
}

function withDigest(location: string, digest: string): string {
  const url = new URL(location)
  url.searchParams.set('digest', digest)
  return url.href
}

function bodyOf(file: string | Buffer, start: number, end: number): NonNullable<RequestInit['body']> {
  if (typeof file !== 'string') return new Uint8Array(file.subarray(start, end))
  if (end <= start) return new Uint8Array(0)
  return fileBody(file, start, end) as unknown as NonNullable<RequestInit['body']>
}

/**
 * Bytes `start` to `end` of a file as a web stream of 1 MiB reads, one read ahead: fetch takes it as it
 * is, where a Node stream went through an adapter chunk by chunk (ADR 0240).
 */
function fileBody(file: string, start: number, end: number): ReadableStream<Uint8Array> {
  let handle: FileHandle | undefined
  let at = start
  const close = async (): Promise<void> => {
    const open = handle
    handle = undefined
    await open?.close()
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      handle ??= await open(file, 'r')
      const buffer = Buffer.allocUnsafeSlow(Math.min(READ_SIZE, end - at))
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, at)
      at += bytesRead
      if (bytesRead > 0) controller.enqueue(new Uint8Array(buffer.buffer, 0, bytesRead))
      if (at < end && bytesRead > 0) return
      await close()
      // A file that shrank under the upload: the registry gets fewer bytes than announced and refuses.
      controller.close()
    },
    cancel: close
  })
}

/**
 * Downloads the blob of a descriptor into `target` (created, never replaced, mode 0600), streaming and
 * hashing as it goes; more bytes than the descriptor's size stop the download. A digest or size that
 * does not match deletes the file and is BACKUP_CORRUPT: nothing unchecked is ever left for use.
 */
export async function pullBlob(client: RegistryClient, blob: Descriptor, target: string): Promise<void> {
  await client.retrying(`the download of blob ${blob.digest}`, async () => {
    await rm(target, { force: true })
    const response = await client.exchange({
      method: 'GET',
      url: client.path(`blobs/${blob.digest}`),
      streamed: true,
      size: blob.size
    })
    if (response.status !== 200 || !response.body) {
      throw await client.unexpected(response, `the download of blob ${blob.digest}`)
    }
    const progress = client.download(response)
    const hash = createHash('sha256')
    let size = 0
    // The body's chunks go straight to the file (ADR 0230), gathered into writevs of about 1 MiB, a few in
    // flight while the next are read and hashed: a write per 16 KiB TLS record cost more than the hashing,
    // and waiting for each write held the socket (ADR 0239).
    const file = await open(target, 'wx', 0o600)
    const writes = new WritesInFlight(WRITES_IN_FLIGHT)
    try {
      let batch: Uint8Array[] = []
      let batched = 0
      for await (const chunk of progress.chunks) {
        progress.moved()
        size += chunk.length
        if (size > blob.size)
          throw corrupt(client, blob, `more than the ${blob.size} bytes its manifest gives`)
        hash.update(chunk)
        batch.push(chunk)
        batched += chunk.length
        if (batched < WRITE_BATCH) continue
        await writes.add(file.writev(batch, size - batched))
        batch = []
        batched = 0
      }
      if (batch.length) await writes.add(file.writev(batch, size - batched))
      await writes.drain()
    } catch (error) {
      await writes.settle()
      await file.close().catch(() => undefined)
      await rm(target, { force: true })
      if (error instanceof LicenseBackupError) throw error
      client.throwIfCancelled()
      throw (
        progress.failure() ??
        new TransientRegistryError(
          `a broken download (${error instanceof Error ? error.message : String(error)})`
        )
      )
    } finally {
      progress.end()
    }
    await file.close()
    const digest = `sha256:${hash.digest('hex')}`
    if (size !== blob.size || digest !== blob.digest) {
      await rm(target, { force: true })
      throw corrupt(client, blob, size !== blob.size ? `${size} bytes, not ${blob.size}` : `digest ${digest}`)
    }
  })
}

/** Writes at their own offsets, up to `limit` at once: `add` waits for the oldest beyond it. */
class WritesInFlight {
  private readonly pending: Promise<unknown>[] = []

  constructor(private readonly limit: number) {}

  async add(write: Promise<unknown>): Promise<void> {
    write.catch(() => undefined) // awaited below or settled on failure: never unhandled
    this.pending.push(write)
    if (this.pending.length > this.limit) await this.pending.shift()
  }

  async drain(): Promise<void> {
    while (this.pending.length) await this.pending.shift()
  }

  /** Waits for every write, whatever it gave, before the file is closed on a failure. */
  async settle(): Promise<void> {
    await Promise.allSettled(this.pending.splice(0))
  }
}

function corrupt(client: RegistryClient, blob: Descriptor, got: string): LicenseBackupError {
  const title = blob.annotations?.['org.opencontainers.image.title']
  return new LicenseBackupError(
    'BACKUP_CORRUPT',
    `The blob ${blob.digest}${title ? ` (${title})` : ''} from ${client.where} does not match its manifest: it has ${got}. Nothing was used; push the backup again or pull another one.`,
    { url: client.display(client.path(`blobs/${blob.digest}`)) }
  )
}
