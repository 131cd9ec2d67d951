import { isLicenseBackupError, phrase, type EngineMessage, type Phrasebook } from '../engine/index.js'

/**
 * The engine's options in a one-step command's words: its flags (ADR 0213). `license-backup run` words
 * them as the steps file does (`STEPS_WORDS`). An option no flag sets is named where it is set.
 */
export const FLAG_WORDS: Phrasebook = {
  store: { name: '`--store`' },
  pattern: { name: '`--pattern`' },
  catalog: { name: "the steps file's `catalog` (license-backup run)" },
  trust: { name: '`--trust-jwks`' },
  'trust.jwksFile': { name: '`--trust-jwks`' },
  overwrite: { name: '`--overwrite`', turnOn: 'add `--overwrite`' },
  encryptTo: { name: '`--encrypt-to`' },
  individualize: { name: '`--individualize`', turnOn: 'add `--individualize`' },
  ageIdentity: { name: 'the variable named by `--identity-env`' },
  machineKey: { name: 'the variable named by `--machine-key-env`' },
  include: { name: '`--include`' },
  jtis: { name: 'the licenses to release by ID' },
  onRefused: { name: '`--on-refused`' },
  lease: { name: '`--lease`' },
  'service.url': { name: '`--service`' },
  'service.token': { name: 'the token in the variable named by `--token-env`' },
  signers: { name: '`--signers`' },
  rollBackInterrupted: { name: '`--roll-back-interrupted`', turnOn: 'add `--roll-back-interrupted`' }
}

/** A message in `words` (the output neutralises the whole line, values included). */
export function inWords(text: EngineMessage, words: Phrasebook): string {
  return phrase(text, words)
}

/** An error's message in `words`; any other error's own message. */
export function errorText(error: unknown, words: Phrasebook): string {
  if (isLicenseBackupError(error)) return inWords(error, words)
  return error instanceof Error ? error.message : String(error)
}
