import { randomBytes } from 'node:crypto'
import { open, readFile, rename, unlink } from 'node:fs/promises'
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
  return state
}

/**
 * Writes the state atomically: a temporary file beside it, fsync, rename over it, fsync the folder. A
 * crash leaves the old state or the new one, never a mix. Writes are queued so the last one wins.
 */
export class StateFile {
  private queue: Promise<void> = Promise.resolve()

  constructor(readonly file: string) {}

  save(state: ServerState): Promise<void> {
    const text = JSON.stringify(state)
    const next = this.queue.then(() => writeAtomic(this.file, text))
    this.queue = next.catch(() => undefined)
    return next
  }
}

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
