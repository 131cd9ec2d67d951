/**
 * The engine's options (api.ts) as its messages name them: "set the `overwrite` option to true". The
 * engine knows nothing of the host that drives it; a host maps these names to its own words (the action:
 * the steps file's keys, `src/action/engine-terms.ts`).
 */
export declare const ENGINE_OPTIONS: readonly ["store", "pattern", "catalog", "trust", "trust.jwksFile", "overwrite", "encryptTo", "individualize", "ageIdentity", "machineKey", "include", "jtis", "onRefused", "lease", "service.url", "service.token", "signers", "rollBackInterrupted"];
export type EngineOption = (typeof ENGINE_OPTIONS)[number];
/** How an engine message names an option: "the `overwrite` option". */
export declare function option(name: EngineOption): string;
/** How an engine message asks for a boolean option: "turn on the `overwrite` option". */
export declare function turnOn(name: EngineOption): string;
/** A phrase at the start of a sentence. */
export declare function capitalized(phrase: string): string;
