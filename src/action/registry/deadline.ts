import { TransientRegistryError } from './transient.js'

/** No byte either way for this long fails a blob transfer's attempt (docs/registry.md). */
export const DEFAULT_IDLE_TIMEOUT_MS = 30_000
/** A blob transfer may take a minute plus its size at 512 KiB/s, whatever else happens. */
export const DEFAULT_MIN_BYTES_PER_SECOND = 512 * 1024
const DEADLINE_BASE_MS = 60_000

export function defaultTransferDeadline(size: number): number {
  return DEADLINE_BASE_MS + Math.ceil((size / DEFAULT_MIN_BYTES_PER_SECOND) * 1000)
}

/**
 * Watches one blob transfer (ADR 0187): an idle timer reset by every chunk that moves, and an overall
 * deadline. Either one aborts the request and errors the watched streams with a TransientRegistryError,
 * so the attempt fails as transient (a download's reader reports its own progress: `RegistryClient.download`) and the client's retries decide what comes next.
 */
export class TransferWatch {
  private readonly controller = new AbortController()
  private readonly streams = new Set<TransformStreamDefaultController<Uint8Array>>()
  private idle: NodeJS.Timeout | undefined
  /** When a byte last moved (performance.now()). */
  private last = 0
  private readonly overall: NodeJS.Timeout
  private stopped = false
  failure: TransientRegistryError | undefined

  constructor(
    private readonly idleMs: number,
    deadlineMs: number
  ) {
    this.overall = setTimeout(
      () => this.fail(`it took longer than its deadline of ${seconds(deadlineMs)} s`),
      deadlineMs
    ).unref()
    this.touch()
  }

  get signal(): AbortSignal {
    return this.controller.signal
  }

  /**
   * Progress: the idle time counts from now. Only the time is noted; the one idle timer, when it fires,
   * waits again for what is left (a timer per 16 KiB chunk cost a pull more than its SHA-256, ADR 0241).
   */
  touch(): void {
    if (this.stopped) return
    this.last = performance.now()
    this.idle ??= this.idleAfter(this.idleMs)
  }

  private idleAfter(ms: number): NodeJS.Timeout {
    return setTimeout(() => {
      const quiet = performance.now() - this.last
      if (quiet >= this.idleMs) this.fail(`no byte moved for ${seconds(this.idleMs)} s`)
      else this.idle = this.idleAfter(this.idleMs - quiet)
    }, ms).unref()
  }

  stop(): void {
    this.stopped = true
    clearTimeout(this.idle)
    clearTimeout(this.overall)
  }

  /** A pass-through counting each chunk of an upload's body as progress. */
  counting(): TransformStream<Uint8Array, Uint8Array> {
    return new TransformStream<Uint8Array, Uint8Array>({
      start: controller => {
        this.streams.add(controller)
      },
      transform: (chunk, controller) => {
        this.touch()
        controller.enqueue(chunk)
      }
    })
  }

  private fail(reason: string): void {
    if (this.stopped) return
    this.stop()
    this.failure = new TransientRegistryError(`a stalled transfer (${reason})`)
    for (const stream of this.streams) {
      try {
        stream.error(this.failure)
      } catch {
        // Already closed: nothing is waiting on it.
      }
    }
    this.controller.abort(this.failure)
  }
}

function seconds(ms: number): string {
  return String(Math.round(ms / 100) / 10)
}
