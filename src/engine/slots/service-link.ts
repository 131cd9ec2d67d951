import type { ServiceOptions } from '../api.js'
import type { EventListener } from '../events.js'
import { listed } from './listed.js'
import {
  ServiceClient,
  type BatchLicense,
  type MachineKey,
  type PreviewOutcome,
  type ReleaseStatus,
  type ServiceSession
} from '../service/index.js'
import { warning } from '../events.js'
import type { TakenSlots } from './taken.js'

export interface ServiceLinkOptions {
  service: ServiceOptions
  machine: MachineKey
  individualize: boolean
  /** The lease each re-issue asks for, in seconds (protocol v1.2); default the service's policy. */
  leaseSeconds?: number | undefined
  emit: EventListener
  signal: AbortSignal | undefined
  /** Where a restore keeps the slots it takes, for the give-back (a release or renewal takes none). */
  taken?: TakenSlots
}

/**
 * One run's link to the license service (protocol v1.1): a session opened on first use (CONNECTING) and
 * closed once (DISCONNECTING), and what the run did to the machine's slots. A v1 service, which has no
 * preview or release, is told once with a warning.
 */
export class ServiceLink {
  private client: ServiceClient | undefined
  private session: ServiceSession | undefined
  private v1 = false

  constructor(private readonly options: ServiceLinkOptions) {}

  get url(): string {
    return this.options.service.url
  }

  /** The client and its session, opened on first use. */
  async open(): Promise<{ client: ServiceClient; session: ServiceSession }> {
    const { service, emit, signal, machine, individualize, leaseSeconds } = this.options
    this.client ??= new ServiceClient({
      ...service,
      listener: emit,
      ...(signal ? { signal } : {}),
      ...(leaseSeconds === undefined ? {} : { leaseSeconds })
    })
    this.session ??= await this.client.openSession(machine, individualize)
    return { client: this.client, session: this.session }
  }

  /** What a restore of these licenses would do; undefined from a v1 service. */
  async preview(licenses: BatchLicense[]): Promise<PreviewOutcome[] | undefined> {
    if (this.v1) return undefined
    const { client, session } = await this.open()
    const outcomes = await client.preview(session, licenses)
    if (!outcomes) this.speaksV1()
    return outcomes
  }

  /** Gives licenses back; undefined from a v1 service. */
  async release(jtis: string[]): Promise<Map<string, ReleaseStatus> | undefined> {
    if (this.v1) return undefined
    const { client, session } = await this.open()
    const statuses = await client.release(session, jtis)
    if (!statuses) this.speaksV1()
    return statuses
  }

  /** Counts the slots a batch took (licenses re-issued that the machine did not hold before). */
  took(jtis: readonly string[]): void {
    this.options.taken?.add(jtis)
  }

  /** Closes the session if one is open; a failure to close is not the run's. */
  async close(): Promise<void> {
    const { client, session } = this
    this.session = undefined
    if (client && session) await client.closeSession(session).catch(() => {})
  }

  /**
   * After a failed or cancelled restore, gives back the slots it took, so a restore that committed nothing
   * uses none. Runs outside the run's signal (a cancelled run still gives back), in a session of its own
   * with no events, bounded to 15 s. When it cannot, a warning names the licenses that still hold a slot.
   */
  async giveBack(): Promise<void> {
    const { service, machine, individualize, emit, taken } = this.options
    if (!taken || taken.size === 0 || this.v1) return
    const client = new ServiceClient({
      ...service,
      deadlineMs: Math.min(service.deadlineMs ?? 15_000, 15_000)
    })
    let session: ServiceSession | undefined
    try {
      session = await client.openSession(machine, individualize)
      for await (const batch of taken.batches()) await client.release(session, batch)
      await taken.clear()
    } catch (error) {
      emit(
        warning(
          `The restore failed and could not give back the slots it took at ${this.url} (${(error as Error).message}). ` +
            `${taken.size} license(s) still hold a slot of this machine: ${listed(taken.first, taken.size)}. Run a release step for them, or ask the service's operator.`
        )
      )
    } finally {
      if (session) await client.closeSession(session).catch(() => {})
    }
  }

  private speaksV1(): void {
    this.v1 = true
    this.options.emit(
      warning(
        `The license service at ${this.url} speaks protocol v1: slots cannot be previewed or released, so a refusal shows only during the restore, and a restored license keeps its slot.`
      )
    )
  }
}
