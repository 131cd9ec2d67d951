import {
  restrictedLicenseMessage,
  restrictedSummaryMessage,
  type EngineEvent,
  type Operation
} from '../../engine/index.js'
import type { RestrictedPolicy } from '../steps/types.js'
import { logText } from './text.js'
import type { LogText } from './text.js'
import { log } from './write.js'
import { inStepsWords } from '../phrase.js'

/** GitHub shows at most 10 annotations of a kind per step; the rest go to the log as plain lines. */
export const ANNOTATIONS_PER_STEP = 10
/** Progress lines at most this often, so long runs show life without flooding the log. */
export const PROGRESS_INTERVAL_MS = 5000

export interface RestrictedSeen {
  keyId: string
  licenseId: string
  title?: string
}

export interface RefusedSeen {
  keyId: string
  licenseId: string
  message: string
  url: string
}

/** The README's wording for one restricted license, as the engine words it. */
export function restrictedLine(license: { keyId: string; title?: string | undefined }): LogText {
  return logText`${restrictedLicenseMessage({
    key_id: license.keyId,
    ...(license.title ? { title: license.title } : {})
  })}`
}

/** The README's generic wording for several, still carrying every key ID. */
export function restrictedSummary(keyIds: string[]): string {
  // Several licenses may share a content key: each key ID is listed once.
  const unique = [...new Set(keyIds)]
  return `${restrictedSummaryMessage(keyIds.length)} (key ID${unique.length === 1 ? '' : 's'} ${unique.join(', ')})`
}

const OPERATION_NAMES: Record<Operation, string> = {
  backup: 'Backup',
  restore: 'Restore',
  verify: 'Verify',
  release: 'Release',
  renew: 'Renew'
}

/** What BEGIN and END say for each operation. */
const PHASE_LINES: Record<Operation, { begin: LogText; end: LogText }> = {
  backup: { begin: logText`Backup started.`, end: logText`Backup finished.` },
  restore: {
    begin: logText`Committing the restored licenses into the store.`,
    end: logText`Restored licenses committed.`
  },
  release: {
    begin: logText`Removing the released licenses from the store.`,
    end: logText`Released licenses removed.`
  },
  renew: {
    begin: logText`Renewing this machine's lease copies and writing them back into the store.`,
    end: logText`Renewed copies written.`
  },
  verify: {
    begin: logText`Verify started: checking the backup as a restore would, writing nothing.`,
    end: logText`Verify finished: the backup would restore.`
  }
}

/**
 * Turns one step's engine events into log lines: a line per event, restricted licenses as annotations
 * per the policy, progress at most every few seconds, per-license detail only in debug.
 */
export class StepLog {
  readonly restricted: RestrictedSeen[] = []
  readonly refused: RefusedSeen[] = []
  private annotations = 0
  private lastProgress: number

  constructor(
    private readonly policy: RestrictedPolicy,
    private readonly now: () => number = Date.now
  ) {
    this.lastProgress = now()
  }

  readonly onEvent = (event: EngineEvent): void => {
    switch (event.type) {
      case 'BEGIN':
        log.info(PHASE_LINES[event.operation].begin)
        return
      case 'END':
        log.info(PHASE_LINES[event.operation].end)
        return
      case 'BACKUP_OPENED':
        log.info(
          logText`Reading ${event.format} backup at ${event.path}${event.origin ? `: ${event.origin}` : ''}${event.signer ? `; signed by ${event.signer}` : ''}.`
        )
        return
      case 'CONNECTING':
        log.info(logText`Connecting to the license service at ${event.url}.`)
        return
      case 'DISCONNECTING':
        log.info(logText`Disconnecting from the license service at ${event.url}.`)
        return
      case 'RESTRICTED_LICENSE':
        this.onRestricted(event)
        return
      case 'ERROR_WITH_URL':
        this.refused.push({
          keyId: event.keyId,
          licenseId: event.licenseId,
          message: event.message,
          url: event.url
        })
        log.error(
          logText`${event.message} (key ID ${event.keyId}, license ${event.licenseId}). See ${event.url}`,
          {
            title: logText`License refused [${event.code}]`
          }
        )
        return
      case 'PROGRESS':
        this.onProgress(event)
        return
      case 'LICENSE':
        log.debug(
          logText`${event.outcome}: license ${event.licenseId} (key ID ${event.keyId}) at ${event.path}${event.reason ? `: ${event.reason}` : ''}`
        )
        return
      case 'WARNING':
        log.warning(logText`${inStepsWords(event)}`)
        return
    }
  }

  private onRestricted(event: Extract<EngineEvent, { type: 'RESTRICTED_LICENSE' }>): void {
    this.restricted.push({
      keyId: event.keyId,
      licenseId: event.licenseId,
      ...(event.title === undefined ? {} : { title: event.title })
    })
    if (this.policy === 'ignore') return
    const line = restrictedLine(event)
    if (this.annotations >= ANNOTATIONS_PER_STEP) {
      log.info(line)
      return
    }
    this.annotations++
    const properties = { title: logText`Restricted license (key ID ${event.keyId})` }
    if (this.policy === 'info') log.notice(line, properties)
    else if (this.policy === 'warn') log.warning(line, properties)
    else log.error(line, properties)
  }

  private onProgress(event: Extract<EngineEvent, { type: 'PROGRESS' }>): void {
    const now = this.now()
    if (now - this.lastProgress < PROGRESS_INTERVAL_MS) return
    this.lastProgress = now
    const percent = event.total > 0 ? ` (${Math.floor((event.done / event.total) * 100)}%)` : ''
    log.info(
      logText`${OPERATION_NAMES[event.operation]}: ${event.phase} ${event.done} of ${event.total}${percent}`
    )
  }

  /** After the step: the count and, past the annotation cap, where the rest are. */
  finish(): void {
    if (this.restricted.length === 0) return
    const keyIds = this.restricted.map(r => r.keyId)
    if (this.policy === 'ignore') {
      log.info(
        logText`${keyIds.length} restricted license(s) left out of the backup (on-restricted: ignore).`
      )
      return
    }
    log.info(logText`${restrictedSummary(keyIds)}`)
  }
}
