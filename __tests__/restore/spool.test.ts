// The restore reads the pack once for its preview and its exchange (ADR 0222): the licenses the preview
// let through wait in a private file of the store's, mode 0600, removed when the exchange ends however it
// ends, and by the next run after a kill. The slots it takes wait in another (issue 27).
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals'
import { existsSync, readFileSync, renameSync, statSync } from 'node:fs'
import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createBackupRestorer } from '../../src/engine/index.js'
import type { EngineEvent } from '../../src/engine/events.js'
import { backedUpWorld, snapshot, TOKEN, type BackedUpWorld } from './support.js'

let w: BackedUpWorld

// A service of each test's own: every test restores onto a new machine, and a cancelled restore's slots
// count until their lease ends, so a shared one would refuse whichever test ran after the limit was reached.
beforeEach(async () => {
  w = await backedUpWorld(40)
})
afterEach(async () => w.close())

const spoolOf = (store: string): string => join(store, '.license-backup', 'restore', 'sending')

async function restoreWatching(
  target: string,
  watch: (event: EngineEvent, abort: () => void) => void
): Promise<unknown> {
  const controller = new AbortController()
  const engine = createBackupRestorer(event => watch(event, () => controller.abort()))
  return engine
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
      result => result,
      (error: unknown) => error
    )
}

const isPhase = (event: EngineEvent, phase: string): boolean =>
  event.type === 'PROGRESS' && event.phase === phase

describe('the licenses a restore sends, spooled between its preview and its exchange', () => {
  it('reads the pack once for both: the pack moved away after the preview, the restore completes', async () => {
    const target = join(w.root, 'target-moved')
    const packs = (await readdir(w.backupPath)).filter(name => name.startsWith('licenses.tar'))
    expect(packs).toHaveLength(1)
    const pack = join(w.backupPath, packs[0]!)
    let spoolMode: number | undefined
    const result = await restoreWatching(target, event => {
      if (isPhase(event, 'preview') && existsSync(pack)) renameSync(pack, `${pack}.away`)
      if (isPhase(event, 'exchange')) spoolMode ??= statSync(spoolOf(target)).mode & 0o777
    })
    renameSync(`${pack}.away`, pack)
    expect(result).toMatchObject({
      restored: w.source.licenses.filter(l => !l.restricted && !l.expired).length
    })
    // Private while it exists, gone once the restore is done.
    expect(spoolMode).toBe(0o600)
    expect(existsSync(spoolOf(target))).toBe(false)
  })

  it('leaves no spool when the exchange fails', async () => {
    const target = join(w.root, 'target-cancelled')
    let seen: boolean | undefined
    const error = await restoreWatching(target, (event, abort) => {
      // At the exchange's first event only: later ones may come after the cancelled run removed it.
      if (!isPhase(event, 'exchange') || seen !== undefined) return
      seen = existsSync(spoolOf(target))
      abort()
    })
    expect(seen).toBe(true)
    expect(error).toMatchObject({ code: 'CANCELLED' })
    expect(Object.keys(await snapshot(target)).filter(name => name.includes('sending'))).toEqual([])
  })

  it('keeps the slots it takes in a private file, not in memory, and removes it when done', async () => {
    const target = join(w.root, 'target-taken')
    const taken = join(target, '.license-backup', 'restore', 'taken')
    let kept: { mode: number; lines: string[] } | undefined
    const result = await restoreWatching(target, event => {
      if (!isPhase(event, 'exchange') || kept) return
      kept = { mode: statSync(taken).mode & 0o777, lines: readFileSync(taken, 'utf8').trim().split('\n') }
    })
    const sent = w.source.licenses.filter(l => !l.restricted && !l.expired).map(l => l.jti)
    expect(result).toMatchObject({ restored: sent.length })
    expect(kept?.mode).toBe(0o600)
    expect(kept?.lines.sort()).toEqual(sent.sort())
    expect(existsSync(taken)).toBe(false)
  })

  it('removes the spool a killed run left, before anything else', async () => {
    const store = join(w.root, 'target-killed')
    await mkdir(join(store, '.license-backup', 'restore'), { recursive: true })
    await writeFile(spoolOf(store), '["a.jwt",false,"lic","k",{},"x.y.z"]\n', { mode: 0o600 })
    const taken = join(store, '.license-backup', 'restore', 'taken')
    await writeFile(taken, 'lic-left-by-a-killed-run\n', { mode: 0o600 })
    // Its fourth machine: the world's bound licenses are refused, after the recovery.
    await restoreWatching(store, () => {})
    expect(existsSync(spoolOf(store))).toBe(false)
    expect(existsSync(taken)).toBe(false)
  })
})
