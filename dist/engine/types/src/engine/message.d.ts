import { type EngineOption, type OptionMention, type Phrasebook } from './options.js';
/**
 * An engine message as structure (ADR 0213): the engine's prose, the values it interpolates (paths, key
 * IDs, URLs, counts, outside text) and the options it mentions, each a part of its own. A host builds its
 * sentence from the parts: its own words for each option, each value neutralised its own way. No host
 * rewrites a message's text, so a value that reads like an option name stays as it is.
 */
export type MessagePart = {
    readonly text: string;
} | {
    readonly value: string;
} | OptionMention;
export interface EngineMessage {
    readonly parts: readonly MessagePart[];
}
type Hole = string | number | OptionMention | EngineMessage;
/** `message\`The store ${store} is not a directory; check ${option('store')}.\`` */
export declare function message(strings: TemplateStringsArray, ...holes: Hole[]): EngineMessage;
/** A message of the engine's prose alone: nothing in it for a host to phrase. */
export declare function prose(text: string): EngineMessage;
/** The message in `words`; `value` neutralises each value (as it is, by default). */
export declare function phrase(text: EngineMessage, words: Phrasebook, value?: (value: string) => string): string;
/** The options a message mentions, each once. */
export declare function optionsOf(text: EngineMessage): EngineOption[];
/** The values a message interpolates, in order. */
export declare function valuesOf(text: EngineMessage): string[];
export {};
