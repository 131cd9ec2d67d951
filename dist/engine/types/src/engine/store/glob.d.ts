export declare const DEFAULT_PATTERN = "**/*.jwt";
/** A compiled store pattern: tests `/`-separated store-relative paths. */
export interface PathMatcher {
    readonly pattern: string;
    test(path: string): boolean;
}
/**
 * Compiles a store pattern (ADR 0065). Supports `**` (a whole segment: any number of whole folders,
 * including none), `*` (any run of characters within one name) and `?` (one character within a name);
 * dot files match like any other. Other glob syntax is CONFIG_INVALID. Matching takes time linear in the
 * path's length for a given pattern, whatever either holds: no regular expression, so no backtracking.
 */
export declare function compileGlob(pattern: string): PathMatcher;
