import { randomBytes } from 'node:crypto'
import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'

export const STATE_FORMAT = 'license-server-state/v1'

/** A stored restore answer: compact, because re-issue is deterministic (ADR 0021). */
export interface StoredAnswer {
  /** SHA-256 of the request's license list. */
  request: string
  results: Array<{ jti: string; status: 'restored' | 'refused'; reason?: string; url?: string }>
}

export interface SessionState {
  id: string
  machineId: string
  machineJwk: { kty: 'OKP'; crv: 'Ed25519'; x: string }
  individualize: boolean
  /** SHA-256 of the token that opened it: only that token may use it. */
  token: string
  createdAt: string
  expiresAt: string
  /** Idempotency-Key → answer. */
  answers: Record<string, StoredAnswer>
}

export interface ServerState {
  format: typeof STATE_FORMAT
  sessions: Record<string, SessionState>
  /** jti → the distinct machines that hold it, the original one included. */
  machines: Record<string, string[]>
  revoked: string[]
}

export function emptyState(): ServerState {
  return { format: STATE_FORMAT, sessions: {}, machines: {}, revoked: [] }
}

/** Loads the state file; a missing file is a fresh server, a damaged one an error (never overwritten). */
export async function loadState(file: string): Promise<ServerState> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState()
    throw error
  }
  let state: ServerState
  try {
    state = JSON.parse(text) as ServerState
  } catch {
    throw new Error(`The state file ${file} is not JSON; fix or remove it.`)
  }
  if (
    state?.format !== STATE_FORMAT ||
    typeof state.sessions !== 'object' ||
    typeof state.machines !== 'object'
  ) {
    throw new Error(`The state file ${file} is not a ${STATE_FORMAT} file; fix or remove it.`)
  }
  state.revoked ??= []
  await replayJournal(state, journalOf(file))
  return state
}

/**
 * One change to the state, as appended to the journal (ADR 0050). Each carries the values it sets, not a
 * difference, so replaying a change the snapshot already holds changes nothing.
 */
export type StateChange =
  | { op: 'session'; session: SessionState }
  | {
      op: 'answer'
      session: string
      key: string
      answer: StoredAnswer
      /** The whole machine list of every license the answer touched. */
      machines: Record<string, string[]>
    }
  | { op: 'close'; session: string }
  | { op: 'revoke'; jti: string }

export function applyChange(state: ServerState, change: StateChange): void {
  switch (change.op) {
    case 'session':
      state.sessions[change.session.id] = change.session
      return
    case 'answer': {
      const session = state.sessions[change.session]
      if (session) session.answers[change.key] = change.answer
      Object.assign(state.machines, change.machines)
      return
    }
    case 'close':
      delete state.sessions[change.session]
      return
    case 'revoke':
      if (!state.revoked.includes(change.jti)) state.revoked.push(change.jti)
      return
  }
}

/** The journal beside a state file: its changes since the last snapshot, one JSON line each. */
export function journalOf(file: string): string {
  return `${file}.journal`
}

async function replayJournal(state: ServerState, journal: string): Promise<void> {
  let text: string
  try {
    text = await readFile(journal, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
    throw error
  }
  const lines = text.split('\n')
  for (const [index, line] of lines.entries()) {
    if (line === '') continue
    let change: StateChange
    try {
      change = JSON.parse(line) as StateChange
    } catch {
      // A torn last line is a change whose answer was never sent (the append had not finished): drop it.
      if (index === lines.length - 1) return
      throw new Error(`The state journal ${journal} is damaged at line ${index + 1}; fix or remove it.`)
    }
    applyChange(state, change)
  }
}

/**
 * Keeps the state durable (ADR 0021, ADR 0050): each change is appended to the journal and fdatasync'd
 * before its answer is sent, so the cost of a change is its own size, not the state's. The snapshot (the
 * state file) is rewritten atomically, and the journal emptied, when the journal outgrows it and on close.
 * Writes are queued, in order.
 */
export class StateFile {
  private queue: Promise<void> = Promise.resolve()
  private journal: FileHandle | undefined
  private journalBytes = 0
  private snapshotBytes = 0

  constructor(readonly file: string) {}

  /** Appends one change (already applied to `state`); compacts when the journal has grown past the snapshot. */
  record(state: ServerState, change: StateChange): Promise<void> {
    const line = JSON.stringify(change) + '\n'
    return this.enqueue(async () => {
      this.journal ??= await open(journalOf(this.file), 'a', 0o600)
      await this.journal.appendFile(line)
      await this.journal.datasync()
      this.journalBytes += Buffer.byteLength(line)
      if (this.journalBytes > Math.max(COMPACT_AT, 4 * this.snapshotBytes)) await this.writeSnapshot(state)
    })
  }

  /** Rewrites the snapshot from `state` and empties the journal. */
  compact(state: ServerState): Promise<void> {
    return this.enqueue(() => this.writeSnapshot(state))
  }

  /** Compacts and releases the journal. */
  async close(state: ServerState): Promise<void> {
    await this.compact(state)
    await this.enqueue(async () => {
      await this.journal?.close()
      this.journal = undefined
    })
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    const next = this.queue.then(work)
    this.queue = next.catch(() => undefined)
    return next
  }

  private async writeSnapshot(state: ServerState): Promise<void> {
    const text = JSON.stringify(state)
    await writeAtomic(this.file, text)
    // Only once the snapshot holding every change is durable may the journal go; a crash in between
    // replays changes the snapshot already holds, which changes nothing.
    await this.journal?.close()
    this.journal = undefined
    await unlink(journalOf(this.file)).catch(() => undefined)
    this.journalBytes = 0
    this.snapshotBytes = Buffer.byteLength(text)
  }
}

/** The journal is compacted into the snapshot once it is larger than this and than four snapshots. */
const COMPACT_AT = 8 * 1024 * 1024

async function writeAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`
  try {
    const handle = await open(temp, 'w', 0o600)
    try {
      await handle.writeFile(text)
      await handle.sync()
    } finally {
      await handle.close()
    }
    await rename(temp, file)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  }
  const dir = await open(dirname(file), 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}
