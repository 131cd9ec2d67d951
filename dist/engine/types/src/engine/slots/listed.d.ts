/** Up to ten IDs, then how many more. */
export declare function listed(ids: readonly string[]): string;
