import { join } from 'node:path'
import type { BatchLicense } from '../service/index.js'
import { fileIO, writeAllSync, type SyncFileHandleIO } from '../io/file-io.js'
import { lineChunks } from '../io/lines.js'

/** A license to send, with where it goes in the store. */
export type Sending = BatchLicense & { path: string }

/** A license the preview did not refuse: `held` when the machine holds it already (no slot used). */
export type Spooled = Sending & { held: boolean }

/**
 * The licenses a restore's preview sent, kept for its exchange in a private file (ADR 0222) so that the
 * exchange need not read, decrypt and parse the pack again: one JSON line a license, a batch appended with
 * one write. The file is the store's (`.license-backup/restore/sending`, mode 0600, never readable by
 * others, as the licenses are): removed when the exchange ends, whatever way it ends, and by the next
 * run's recovery after a kill (`removeSpool`).
 */
export interface Spool {
  /** Appends a batch of licenses, synchronously (one write). */
  append(batch: readonly Spooled[]): void
  /** The licenses in the order they were appended, a chunk of lines at a time. */
  read(): AsyncGenerator<Spooled[]>
  /** Closes and removes the file; safe to call twice. */
  remove(): Promise<void>
}

export function spoolFile(root: string): string {
  return join(root, 'sending')
}

/** Creates the spool (replacing a leftover one) under `root`, the restore's state folder. */
export async function openSpool(root: string): Promise<Spool> {
  const io = fileIO()
  const file = spoolFile(root)
  await io.mkdir(root, { recursive: true })
  await io.rm(file, { force: true })
  let handle: SyncFileHandleIO | undefined = io.openSync(file, 'wx', 0o600)
  const close = (): void => {
    handle?.close()
    handle = undefined
  }
  return {
    append: batch => {
      if (!handle) throw new Error('The restore spool is closed')
      writeAllSync(handle, Buffer.from(batch.map(lineOf).join('')))
    },
    read: async function* () {
      close()
      for await (const lines of lineChunks(file)) yield lines.map(spooledOf)
    },
    remove: async () => {
      close()
      await io.rm(file, { force: true })
    }
  }
}

/** Removes a spool a killed run left behind. */
export async function removeSpool(root: string): Promise<void> {
  await fileIO().rm(spoolFile(root), { force: true })
}

function lineOf(license: Spooled): string {
  const { path, held, jti, key_id, rights, jws } = license
  return `${JSON.stringify([path, held, jti, key_id, rights, jws])}\n`
}

function spooledOf(line: string): Spooled {
  const [path, held, jti, key_id, rights, jws] = JSON.parse(line) as [
    string,
    boolean,
    string,
    string,
    BatchLicense['rights'],
    string
  ]
  return { path, held, jti, key_id, rights, jws }
}
