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

export interface ServiceLinkOptions {
  service: ServiceOptions
  machine: MachineKey
  individualize: boolean
  /** The lease each re-issue asks for, in seconds (protocol v1.2); default the service's policy. */
  leaseSeconds?: number | undefined
  emit: EventListener
  signal: AbortSignal | undefined
}

/**
 * One run's link to the license service (protocol v1.1): a session opened on first use (CONNECTING) and
 * closed once (DISCONNECTING), and what the run did to the machine's slots. A v1 service, which has no
 * preview or release, is told once with a warning.
 */
export class ServiceLink {
  /** Licenses this run re-issued that the machine did not hold before: the slots the run took. */
  readonly taken: string[] = []
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
    if (this.taken.length === 0 || this.v1) return
    const { service, machine, individualize, emit } = this.options
    const client = new ServiceClient({
      ...service,
      deadlineMs: Math.min(service.deadlineMs ?? 15_000, 15_000)
    })
    let session: ServiceSession | undefined
    try {
      session = await client.openSession(machine, individualize)
      await client.release(session, this.taken)
      this.taken.length = 0
    } catch (error) {
      emit(
        warning(
          `The restore failed and could not give back the slots it took at ${this.url} (${(error as Error).message}). ` +
            `${this.taken.length} license(s) still hold a slot of this machine: ${listed(this.taken)}. Run a release step for them, or ask the service's operator.`
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
