/**
 * The engine's options (api.ts) as its messages name them: "set the `overwrite` option to true". The
 * engine knows nothing of the host that drives it; a host maps these names to its own words (the action:
 * the steps file's keys, `src/action/engine-terms.ts`).
 */
export const ENGINE_OPTIONS = [
  'store',
  'pattern',
  'catalog',
  'trust',
  'trust.jwksFile',
  'overwrite',
  'encryptTo',
  'individualize',
  'ageIdentity',
  'machineKey',
  'include',
  'jtis',
  'onRefused',
  'lease',
  'service.url',
  'service.token',
  'signers',
  'rollBackInterrupted'
] as const

export type EngineOption = (typeof ENGINE_OPTIONS)[number]

/** How an engine message names an option: "the `overwrite` option". */
export function option(name: EngineOption): string {
  return `the \`${name}\` option`
}

/** How an engine message asks for a boolean option: "turn on the `overwrite` option". */
export function turnOn(name: EngineOption): string {
  return `turn on ${option(name)}`
}

/** A phrase at the start of a sentence. */
export function capitalized(phrase: string): string {
  return phrase.charAt(0).toUpperCase() + phrase.slice(1)
}
