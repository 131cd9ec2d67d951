import { describe, expect, it } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { createIssuer } from '../../src/fixtures/issuer.js'
import { staticClosure } from '../../scripts/static-imports.js'

const bundle = ['dist/index.js', ...readdirSync('dist/chunks').map(name => join('dist/chunks', name))]
  .map(file => readFileSync(file, 'utf8'))
  .join('\n')

describe('what users run (dist/)', () => {
  it('starts without compiling a schema, importing node:http as an ES module or loading undici (ADR 0195)', async () => {
    const atStart = [...(await staticClosure('dist', 'index.js'))]
    const sources = atStart.map(file => ({ file, text: readFileSync(join('dist', file), 'utf8') }))
    const httpImports = sources.filter(({ text }) => /^import [^;]* from "(node:)?https?";/m.test(text))
    expect(httpImports.map(({ file }) => file)).toEqual([])
    // A module-level evaluation of undici; the one kept is inside the proxy agent's function.
    const undiciAtLoad = sources.filter(({ text }) => /^var \w+ = __toESM\(require_undici\(\)/m.test(text))
    expect(undiciAtLoad.map(({ file }) => file)).toEqual([])
    // The action's own code, the steps file's check among it, is index.js; the engine's schemas are
    // compiled in its chunks, by functions an operation calls.
    expect(readFileSync('dist/index.js', 'utf8')).not.toMatch(/new [\w.]*Ajv2020\(/)
  })

  it('loads at start only what the first log line needs: no undici, Ajv, jose, registry or artifact code (ADR 0229)', async () => {
    const atStart = [...(await staticClosure('dist', 'index.js'))]
    const text = atStart.map(file => readFileSync(join('dist', file), 'utf8')).join('\n')
    // esbuild heads each module it bundles with a comment naming its path.
    const deferred = [
      'node_modules/undici/',
      'node_modules/ajv/',
      'node_modules/jose/',
      'node_modules/yauzl/',
      'src/action/registry/client.ts',
      'src/action/artifacts/download.ts',
      'src/engine/service/client.ts'
    ]
    expect(deferred.filter(path => text.includes(`// ${path}`))).toEqual([])
  })

  it('still makes an undici ProxyAgent behind a proxy, though the build defers its import', async () => {
    // @actions/core's OIDC client is a chunk of its own (ADR 0229), and its HTTP client in a chunk it imports.
    const oidc = readdirSync('dist/chunks').find(name => name.startsWith('oidc-utils-'))
    expect(oidc).toBeDefined()
    const files = [...(await staticClosure('dist', `chunks/${oidc}`))]
    const file = files.find(name =>
      readFileSync(join('dist', name), 'utf8').includes('_getProxyAgentDispatcher(')
    )
    expect(file).toBeDefined()
    const chunk = (await import(pathToFileURL(resolve('dist', file ?? '')).href)) as Record<string, unknown>
    type Client = new (agent: string) => { getAgentDispatcher(url: string): object | undefined }
    const HttpClient = Object.values(chunk).find(
      value => typeof value === 'function' && 'getAgentDispatcher' in (value as Client).prototype
    ) as Client
    const saved = process.env['https_proxy']
    process.env['https_proxy'] = 'http://127.0.0.1:3128'
    try {
      const dispatcher = new HttpClient('dist-test').getAgentDispatcher('https://example.com/')
      expect(dispatcher?.constructor.name).toMatch(/^ProxyAgent\d*$/)
    } finally {
      if (saved === undefined) delete process.env['https_proxy']
      else process.env['https_proxy'] = saved
    }
  })

  it('has no crash points: the test harness’s kill switch is compiled out', () => {
    expect(readFileSync('src/engine/io/crash-points.ts', 'utf8')).toContain('LICENSE_BACKUP_CRASH_AT')
    expect(bundle).not.toContain('LICENSE_BACKUP_CRASH_AT')
    expect(bundle).toMatch(/function crashPoint\(\) \{\s*\}/)
  })

  it('carries package.json’s version, and nothing else of package.json', () => {
    const { version, devDependencies } = JSON.parse(readFileSync('package.json', 'utf8')) as {
      version: string
      devDependencies: Record<string, string>
    }
    expect(bundle).toContain(`{ version: "${version}" }`)
    expect(bundle).not.toContain(`"typescript-eslint": "${devDependencies['typescript-eslint']}"`)
  })

  it('starts the verify worker from its own file beside the engine chunk, and that worker checks signatures', async () => {
    // The pool is in one chunk of dist/chunks/, where `./verify-worker.js` is the worker's file.
    expect(readFileSync('dist/index.js', 'utf8')).not.toContain('new Worker(')
    const starters = readdirSync('dist/chunks').filter(name =>
      readFileSync(join('dist/chunks', name), 'utf8').includes('new Worker(')
    )
    expect(starters).toHaveLength(1)
    expect(readFileSync(join('dist/chunks', starters[0]!), 'utf8')).toContain('"./verify-worker.js"')

    const issuer = createIssuer({ kid: 'dist' })
    const [header, payload, signature] = issuer.sign({ jti: 'one' }).split('.') as [string, string, string]
    const input = `${header}.${payload}`
    // Another first character, whatever the signature starts with: a fixed 'x' left one key in 64 unchanged.
    const damaged = (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1)
    const worker = new Worker(pathToFileURL(resolve('dist/chunks/verify-worker.js')), {
      workerData: { verifyPool: true, keys: [issuer.publicJwk], kids: ['dist'], algorithms: ['EdDSA'] }
    })
    try {
      const answer = new Promise(done => worker.once('message', done))
      const meta = new Int32Array([
        0,
        0,
        input.length,
        signature.length,
        0,
        0,
        input.length,
        signature.length
      ])
      worker.postMessage({ id: 1, meta, text: input + signature + input + damaged })
      expect(await answer).toEqual({ id: 1, results: new Uint8Array([1, 0]) })
    } finally {
      await worker.terminate()
    }
  })
})
