import { describe, expect, it } from '@jest/globals'
import { EventEmitter } from 'node:events'
import { abortOnSignals, cancelSignals } from '../../src/action/cancel.js'

describe('cancellation signals', () => {
  it('are SIGINT and SIGTERM, and SIGBREAK too on Windows', () => {
    expect(cancelSignals('linux')).toEqual(['SIGINT', 'SIGTERM'])
    expect(cancelSignals('darwin')).toEqual(['SIGINT', 'SIGTERM'])
    expect(cancelSignals('win32')).toEqual(['SIGINT', 'SIGTERM', 'SIGBREAK'])
  })

  it.each(cancelSignals('win32'))('%s aborts the run once, with the signal as the reason', signal => {
    const source = new EventEmitter()
    const controller = new AbortController()
    const stop = abortOnSignals(source, controller, cancelSignals('win32'))
    source.emit(signal, signal)
    source.emit('SIGTERM', 'SIGTERM')
    expect(controller.signal.reason).toBe(signal)
    stop()
    expect(cancelSignals('win32').map(name => source.listenerCount(name))).toEqual([0, 0, 0])
  })
})
