import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { join } from 'node:path'
import { createBackupRestorer } from '../../src/engine/index.js'
import type { LicenseBackupError } from '../../src/engine/errors.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { backedUpWorld, type BackedUpWorld, snapshot, TOKEN } from './support.js'

let w: BackedUpWorld

beforeAll(async () => {
  w = await backedUpWorld(12, 11)
})
afterAll(async () => w.close())

/** Restores onto a new machine's `target` store, aborting when `when` first matches an event. */
async function restoreCancelledAt(
  target: string,
  when: ((event: EngineEvent) => boolean) | 'before it starts'
): Promise<{ error: unknown; events: EngineEvent[] }> {
  const controller = new AbortController()
  if (when === 'before it starts') controller.abort()
  const events: EngineEvent[] = []
  const engine = createBackupRestorer(event => {
    events.push(event)
    if (when !== 'before it starts' && when(event)) controller.abort()
  })
  const error = await engine
    .restore(
      {
        store: target,
        path: w.backupPath,
        individualize: true,
        service: { url: w.server.url, token: TOKEN },
        trust: { jwksFile: w.jwksFile }
      },
      { signal: controller.signal }
    )
    .then(
      () => undefined,
      (e: unknown) => e
    )
  return { error, events }
}

describe('cancelling a restore', () => {
  it.each([
    ['before it starts', 'before it starts' as const],
    ['while connecting', (e: EngineEvent) => e.type === 'CONNECTING'],
    ['while re-issuing', (e: EngineEvent) => e.type === 'LICENSE' && e.outcome === 'restored'],
    ['while disconnecting, before the commit', (e: EngineEvent) => e.type === 'DISCONNECTING']
  ])('%s commits nothing', async (phase, when) => {
    const target = join(w.root, phase.replaceAll(/\W+/g, '-'))
    const before = await snapshot(target)
    const { error, events } = await restoreCancelledAt(target, when)
    expect((error as LicenseBackupError).code).toBe('CANCELLED')
    expect(events.map(e => e.type)).not.toContain('BEGIN')
    const after = await snapshot(target)
    const licenses = (s: Record<string, string>): string[] => Object.keys(s).filter(p => p.endsWith('.jwt'))
    expect(licenses(after)).toEqual(licenses(before))
  })

  it('once the commit has begun it completes: the store is fully restored', async () => {
    const target = join(w.root, 'committed')
    const { error, events } = await restoreCancelledAt(target, e => e.type === 'BEGIN')
    expect(error).toBeUndefined()
    expect(events.map(e => e.type)).toContain('END')
    const held = Object.keys(await snapshot(target)).filter(p => p.endsWith('.jwt'))
    expect(held.length).toBe(w.source.licenses.filter(l => !l.restricted && !l.expired).length)
  })
})
