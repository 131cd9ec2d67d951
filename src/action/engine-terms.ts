import {
  capitalized,
  ENGINE_OPTIONS,
  LicenseBackupError,
  option,
  turnOn,
  type EngineOption
} from '../engine/index.js'

/**
 * The engine names its own options ("the `overwrite` option", "turn on the `overwrite` option"); the
 * action words them as the steps file does (ADR 0069). Every engine option has its steps-file words here,
 * which the type checker enforces.
 */
const STEPS_TERMS: Record<EngineOption, { name: string; turnOn?: string }> = {
  store: { name: '`store` in the steps file' },
  pattern: { name: '`pattern` in the steps file' },
  catalog: { name: '`catalog` in the steps file' },
  trust: { name: '`trust` in the steps file (`jwks`, `jwks-url` or `service: true`)' },
  'trust.jwksFile': { name: '`trust.jwks` in the steps file' },
  overwrite: { name: "the backup step's `overwrite`", turnOn: 'set `overwrite: true` on the backup step' },
  encryptTo: { name: "the backup step's `encrypt-to`" },
  individualize: {
    name: "the restore step's `individualize`",
    turnOn: 'set `individualize: true` on the restore step'
  },
  ageIdentity: { name: "the variable named by the restore step's `identity-env`" },
  machineKey: { name: "the variable named by the step's `machine-key-env`" },
  include: { name: "the step's `include`" },
  jtis: { name: 'the licenses a restore step with `release-on-exit` restored' },
  onRefused: { name: "the restore step's `on-refused`" },
  lease: { name: "the step's `lease`" },
  'service.url': { name: '`service.url` in the steps file' },
  'service.token': { name: 'the token in the variable named by `service.token-env`' },
  signers: { name: '`signers` in the steps file (an allowed_signers file)' },
  rollBackInterrupted: {
    name: "the step's `roll-back-interrupted`",
    turnOn: 'set `roll-back-interrupted: true` on the step'
  }
}

/** An engine message in the steps file's words. */
export function inStepsTerms(message: string): string {
  let text = message
  for (const name of ENGINE_OPTIONS) {
    const terms = STEPS_TERMS[name]
    // "turn on the `x` option" holds "the `x` option": the longer phrase goes first.
    text = replacePhrase(text, turnOn(name), terms.turnOn ?? `turn on ${terms.name}`)
    text = replacePhrase(text, option(name), terms.name)
  }
  return text
}

/** An engine error with its message in the steps file's words; the same code, details and cause. */
export function errorInStepsTerms(error: unknown): unknown {
  if (!(error instanceof LicenseBackupError)) return error
  const message = inStepsTerms(error.message)
  if (message === error.message) return error
  return new LicenseBackupError(error.code, message, {
    ...error.details,
    ...(error.cause === undefined ? {} : { cause: error.cause })
  })
}

function replacePhrase(text: string, phrase: string, replacement: string): string {
  return text.split(capitalized(phrase)).join(capitalized(replacement)).split(phrase).join(replacement)
}
