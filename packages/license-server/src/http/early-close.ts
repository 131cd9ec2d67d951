import type { Socket } from 'node:net'

/** How long a client is given to read an early refusal before its connection is cut. */
const LINGER_MS = 2000

/**
 * Closes a connection whose request body was refused unread (ADR 0091): the answer is sent with
 * `Connection: close`, then the socket stops reading and half-closes. Closing outright with the client's
 * body still arriving would send a reset, which can destroy the answer before the client reads it; so the
 * socket is destroyed only after a short grace (or when the client closes first). Nothing more is read.
 */
export function closeWithoutReading(socket: Socket): void {
  // Node ends a `Connection: close` exchange with destroySoon(); this socket lingers instead.
  socket.destroySoon = () => {
    socket.pause()
    socket.end()
    const cut = setTimeout(() => socket.destroy(), LINGER_MS)
    cut.unref()
    socket.once('close', () => clearTimeout(cut))
  }
}
