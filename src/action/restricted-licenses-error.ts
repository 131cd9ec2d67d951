import { restrictedSummary } from './log/step-log.js'

/** The `on-restricted: error` outcome: the backup is complete, and the step fails once, listing every key. */
export class RestrictedLicensesError extends Error {
  constructor(
    readonly keyIds: string[],
    path: string
  ) {
    super(
      `${restrictedSummary(keyIds)}. The backup at ${path} is complete without them; the step fails because on-restricted is \`error\`.`
    )
    this.name = 'RestrictedLicensesError'
  }
}
