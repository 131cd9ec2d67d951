import { dirname, join } from 'node:path'
import { fileIO, writeAllSync } from '../io/file-io.js'
import { lineChunks } from '../io/lines.js'
import { MAX_BATCH } from '../service/index.js'

/** How many license IDs a message names (`listed`), kept in memory beside the file. */
const NAMED = 10

/**
 * The slots a restore took (license IDs the machine did not hold before), for the give-back if it fails:
 * appended to a file of the store's (`.license-backup/restore/taken`, one ID a line, mode 0600), one write
 * a batch, so none per license stays in memory (issue 27). Removed when the restore ends, and by
 * the next run after a kill (`removeTaken`).
 */
export class TakenSlots {
  private written = 0
  /** The first IDs taken, for messages. */
  readonly first: string[] = []

  constructor(private readonly file: string) {}

  static in(root: string): TakenSlots {
    return new TakenSlots(takenFile(root))
  }

  /** How many slots were taken. */
  get size(): number {
    return this.written
  }

  /** Appends a batch's slots, synchronously (one write). */
  add(jtis: readonly string[]): void {
    if (jtis.length === 0) return
    for (const jti of jtis.slice(0, NAMED - this.first.length)) this.first.push(jti)
    const io = fileIO()
    if (this.written === 0) io.mkdirSync(dirname(this.file), { recursive: true })
    const handle = io.openSync(this.file, this.written === 0 ? 'w' : 'a', 0o600)
    try {
      writeAllSync(handle, Buffer.from(`${jtis.join('\n')}\n`))
    } finally {
      handle.close()
    }
    this.written += jtis.length
  }

  /** The IDs taken, in batches the service takes back at once. */
  async *batches(): AsyncGenerator<string[]> {
    if (this.written === 0) return
    let batch: string[] = []
    for await (const lines of lineChunks(this.file)) {
      for (const jti of lines) {
        batch.push(jti)
        if (batch.length < MAX_BATCH) continue
        yield batch
        batch = []
      }
    }
    if (batch.length > 0) yield batch
  }

  /** Forgets every slot (given back, or kept by a committed restore) and removes the file. */
  async clear(): Promise<void> {
    this.written = 0
    await fileIO().rm(this.file, { force: true })
  }
}

export function takenFile(root: string): string {
  return join(root, 'taken')
}

/** Removes the list of slots taken that a killed restore left (`root` is the restore's state folder). */
export async function removeTaken(root: string): Promise<void> {
  await fileIO().rm(takenFile(root), { force: true })
}
