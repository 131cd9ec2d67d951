import type { Phrasebook } from '../../engine/index.js'

/**
 * The engine's options in the steps file's words (ADR 0213): the action's and `license-backup run`'s
 * phrasebook. Every engine option has its words here, which the type checker enforces.
 */
export const STEPS_WORDS: Phrasebook = {
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
  signers: { name: '`signers` in the steps file' },
  rollBackInterrupted: {
    name: "the step's `roll-back-interrupted`",
    turnOn: 'set `roll-back-interrupted: true` on the step'
  }
}
