/**
 * The engine's options (api.ts), as its messages mention them. A mention is structure, not text: a host
 * phrases it in its own words (the action: the steps file's keys, `src/action/steps/words.ts`; the command
 * line: its flags, `src/cli/phrase.ts`), and the engine's own words are "the `overwrite` option" (ADR 0213).
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

/** An option named in a message: its name, or the request to turn it on; at a sentence's start, capital. */
export interface OptionMention {
  readonly option: EngineOption
  readonly ask: 'name' | 'turn-on'
  readonly capital?: true
}

/** "the `overwrite` option", as a host words it. */
export function option(name: EngineOption): OptionMention {
  return notText({ option: name, ask: 'name' })
}

/** "turn on the `overwrite` option", as a host words it. */
export function turnOn(name: EngineOption): OptionMention {
  return notText({ option: name, ask: 'turn-on' })
}

/** The mention at the start of a sentence. */
export function capitalized(mention: OptionMention): OptionMention {
  return notText({ ...mention, capital: true })
}

/**
 * Structure put into a plain string would print "[object Object]"; it throws instead, so the slip fails
 * the first test that reaches it. Only `message\`…\`` takes a mention (or a message) as a part.
 */
export function notText<T extends object>(structure: T): T {
  return Object.defineProperty(structure, 'toString', {
    value: () => {
      throw new TypeError('An engine message part was put into a plain string: build it with message`…`.')
    }
  })
}

/** How a host words one option: its name, and how to ask for it turned on (else "turn on " + name). */
export interface OptionWords {
  name: string
  turnOn?: string
}

/** A host's words for every option; the type checker finds one left out. */
export type Phrasebook = Readonly<Record<EngineOption, OptionWords>>

/** The engine's own words, for a host that has none (a library caller) and for `Error.message`. */
export const ENGINE_WORDS: Phrasebook = Object.fromEntries(
  ENGINE_OPTIONS.map(name => [name, { name: `the \`${name}\` option` }])
) as Record<EngineOption, OptionWords>

/** A mention in `words`: the phrase is the phrasebook's own, never a rewrite of other text. */
export function mentionIn(mention: OptionMention, words: Phrasebook): string {
  const entry = words[mention.option]
  const phrase = mention.ask === 'turn-on' ? (entry.turnOn ?? `turn on ${entry.name}`) : entry.name
  return mention.capital ? phrase.charAt(0).toUpperCase() + phrase.slice(1) : phrase
}
