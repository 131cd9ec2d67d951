import { describe, expect } from '@jest/globals'
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { createIssuer, saveIssuer } from '../../src/fixtures/issuer.js'
import { call, machine, tempDir } from '../helpers/service.js'
import { itOnPosix } from '../support/platform.js'

describe('scripts/license-server.ts', () => {
  itOnPosix('on Windows a child killed with SIGTERM is terminated, never signalled')(
    'serves protocol v1 on loopback with the saved issuer, prints its URL, and stops on SIGTERM',
    async () => {
      const dir = await tempDir()
      const issuer = createIssuer({ kid: 'cli-key' })
      await saveIssuer(issuer, join(dir, 'issuer.json'))
      const child = spawn(
        process.execPath,
        [
          'scripts/run-ts.mjs',
          'scripts/license-server.ts',
          '--issuer',
          join(dir, 'issuer.json'),
          '--state',
          join(dir, 'state.json'),
          '--token',
          'cli-token'
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] }
      )
      try {
        const lines = createInterface({ input: child.stdout })
        const [url] = (await once(lines, 'line')) as [string]
        expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
        expect((await call(url, 'GET', '/.well-known/jwks.json', { token: null })).json).toEqual(
          issuer.jwks()
        )
        const opened = await call(url, 'POST', '/v1/sessions', {
          token: 'cli-token',
          body: { machine: await machine(1), individualize: true }
        })
        expect(opened.status).toBe(201)
      } finally {
        child.kill('SIGTERM')
      }
      const [code] = (await once(child, 'exit')) as [number]
      expect(code).toBe(0)
    }
  )
})
