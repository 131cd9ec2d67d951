/**
 * The engine's options (api.ts), as its messages mention them. A mention is structure, not text: a host
 * phrases it in its own words (the action: the steps file's keys, `src/action/steps/words.ts`; the command
 * line: its flags, `src/cli/phrase.ts`), and the engine's own words are "the `overwrite` option" (ADR 0213).
 */
export declare const ENGINE_OPTIONS: readonly ["store", "pattern", "catalog", "trust", "trust.jwksFile", "overwrite", "encryptTo", "individualize", "ageIdentity", "machineKey", "include", "jtis", "onRefused", "lease", "service.url", "service.token", "signers", "rollBackInterrupted"];
export type EngineOption = (typeof ENGINE_OPTIONS)[number];
/** An option named in a message: its name, or the request to turn it on; at a sentence's start, capital. */
export interface OptionMention {
    readonly option: EngineOption;
    readonly ask: 'name' | 'turn-on';
    readonly capital?: true;
}
/** "the `overwrite` option", as a host words it. */
export declare function option(name: EngineOption): OptionMention;
/** "turn on the `overwrite` option", as a host words it. */
export declare function turnOn(name: EngineOption): OptionMention;
/** The mention at the start of a sentence. */
export declare function capitalized(mention: OptionMention): OptionMention;
/**
 * Structure put into a plain string would print "[object Object]"; it throws instead, so the slip fails
 * the first test that reaches it. Only `message\`…\`` takes a mention (or a message) as a part.
 */
export declare function notText<T extends object>(structure: T): T;
/** How a host words one option: its name, and how to ask for it turned on (else "turn on " + name). */
export interface OptionWords {
    name: string;
    turnOn?: string;
}
/** A host's words for every option; the type checker finds one left out. */
export type Phrasebook = Readonly<Record<EngineOption, OptionWords>>;
/** The engine's own words, for a host that has none (a library caller) and for `Error.message`. */
export declare const ENGINE_WORDS: Phrasebook;
/** A mention in `words`: the phrase is the phrasebook's own, never a rewrite of other text. */
export declare function mentionIn(mention: OptionMention, words: Phrasebook): string;
