/** Up to ten IDs, then how many more (of `count`, when `ids` holds only the first). */
export declare function listed(ids: readonly string[], count?: number): string;
