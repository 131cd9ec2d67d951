// Apart from service-link.ts, which loads the service client (jose, the protocol's schema): the engine's
// index exports this to hosts without loading them (cold start).

/** Up to ten IDs, then how many more. */
export function listed(ids: readonly string[]): string {
  const shown = ids.slice(0, 10).join(', ')
  return ids.length > 10 ? `${shown} and ${ids.length - 10} more` : shown
}
