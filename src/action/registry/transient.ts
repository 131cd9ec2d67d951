/** A 429, a 5xx, a network failure or a stalled transfer: worth another try of the whole operation. */
export class TransientRegistryError extends Error {
  constructor(
    message: string,
    readonly retryAfter: string | null = null
  ) {
    super(message)
    this.name = 'TransientRegistryError'
  }
}
