// Apart from service-link.ts, which loads the service client (jose, the protocol's schema): the engine's
// index exports this to hosts without loading them (cold start).

/** Up to ten IDs, then how many more (of `count`, when `ids` holds only the first). */
export function listed(ids: readonly string[], count = ids.length): string {
  const shown = ids.slice(0, 10).join(', ')
  return count > 10 ? `${shown} and ${count - 10} more` : shown
}
