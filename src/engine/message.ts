import { mentionIn, notText, type EngineOption, type OptionMention, type Phrasebook } from './options.js'

/**
 * An engine message as structure (ADR 0213): the engine's prose, the values it interpolates (paths, key
 * IDs, URLs, counts, outside text) and the options it mentions, each a part of its own. A host builds its
 * sentence from the parts: its own words for each option, each value neutralised its own way. No host
 * rewrites a message's text, so a value that reads like an option name stays as it is.
 */
export type MessagePart = { readonly text: string } | { readonly value: string } | OptionMention

export interface EngineMessage {
  readonly parts: readonly MessagePart[]
}

type Hole = string | number | OptionMention | EngineMessage

/** `message\`The store ${store} is not a directory; check ${option('store')}.\`` */
export function message(strings: TemplateStringsArray, ...holes: Hole[]): EngineMessage {
  const parts: MessagePart[] = []
  const text = (s: string | undefined): void => {
    if (s) parts.push({ text: s })
  }
  text(strings[0])
  holes.forEach((hole, i) => {
    if (typeof hole === 'string' || typeof hole === 'number') {
      if (hole !== '') parts.push({ value: String(hole) })
    } else if ('parts' in hole) parts.push(...hole.parts)
    else parts.push(hole)
    text(strings[i + 1])
  })
  return notText({ parts })
}

/** A message of the engine's prose alone: nothing in it for a host to phrase. */
export function prose(text: string): EngineMessage {
  return notText({ parts: [{ text }] })
}

/** The message in `words`; `value` neutralises each value (as it is, by default). */
export function phrase(
  text: EngineMessage,
  words: Phrasebook,
  value: (value: string) => string = v => v
): string {
  return text.parts
    .map(part => ('text' in part ? part.text : 'value' in part ? value(part.value) : mentionIn(part, words)))
    .join('')
}

/** The options a message mentions, each once. */
export function optionsOf(text: EngineMessage): EngineOption[] {
  return [...new Set(text.parts.flatMap(part => ('option' in part ? [part.option] : [])))]
}

/** The values a message interpolates, in order. */
export function valuesOf(text: EngineMessage): string[] {
  return text.parts.flatMap(part => ('value' in part ? [part.value] : []))
}
