/**
 * A loopback stand-in for the GitHub Actions artifact service, for the local demo and for tests that drive
 * the REAL `@actions/artifact` v6 client. With `folder`, each finalized artifact's zip is also written
 * there as `<name>.zip`, so the demo leaves the artifact where a person can open it. It implements what that client calls (read from node_modules/@actions/artifact/lib):
 * - Twirp JSON: POST /twirp/github.actions.results.api.v1.ArtifactService/{CreateArtifact, FinalizeArtifact,
 *   ListArtifacts, GetSignedArtifactURL, DeleteArtifact}, proto field names in snake_case, wrappers
 *   (StringValue, Int64Value) as bare JSON values, int64 as strings.
 * - Azure blob storage as used by `BlockBlobClient.uploadStream`: PUT `?comp=block&blockid=…`, then
 *   PUT `?comp=blocklist` with the XML block list; and a GET of the blob for the download.
 * Errors are Twirp-shaped `{code, msg}` with the HTTP status the real service uses (404, 409).
 */
import { randomUUID } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { join } from 'node:path'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/'
/** The run the REST API says uploaded every artifact: what `run-id` and `workflow` downloads find. */
export const PUBLIC_RUN_ID = 1

export interface StoredArtifact {
  id: number
  name: string
  runBackendId: string
  jobBackendId: string
  /** The committed blob: the zip the client uploaded. */
  blob?: Buffer
  size: number
  digest?: string
  expiresAt?: string
  createdAt: string
  finalized: boolean
  /** Staged, uncommitted blocks by block ID. */
  blocks: Map<string, Buffer>
}

export interface FakeArtifactService {
  url: string
  /** The ACTIONS_RUNTIME_TOKEN to give the client: a JWT whose `scp` names this run and job. */
  runtimeToken: string
  runBackendId: string
  jobBackendId: string
  artifacts: StoredArtifact[]
  /** Every request, as `METHOD path` (Twirp method name or blob operation). */
  calls: string[]
  /** The env the real client reads (ACTIONS_RESULTS_URL, ACTIONS_RUNTIME_TOKEN, GITHUB_SERVER_URL). */
  env: Record<string, string>
  close(): Promise<void>
}

/** A JWT the client can decode (it never checks the signature): `scp` carries `Actions.Results:<run>:<job>`. */
export function runtimeToken(runBackendId: string, jobBackendId: string): string {
  const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url')
  return `${part({ alg: 'none', typ: 'JWT' })}.${part({ scp: `Actions.GenericRead:x Actions.Results:${runBackendId}:${jobBackendId}` })}.sig`
}

export async function startFakeArtifactService(
  options: { folder?: string } = {}
): Promise<FakeArtifactService> {
  const runBackendId = randomUUID()
  const jobBackendId = randomUUID()
  const artifacts: StoredArtifact[] = []
  const calls: string[] = []
  let nextId = 1
  let origin = ''

  const twirp = (method: string, body: Record<string, unknown>): [number, object] => {
    const inRun = (a: StoredArtifact): boolean =>
      a.runBackendId === body['workflow_run_backend_id'] && a.finalized
    switch (method) {
      case 'CreateArtifact': {
        const name = String(body['name'])
        if (artifacts.some(a => inRun(a) && a.name === name)) {
          return [
            409,
            {
              code: 'already_exists',
              msg: `an artifact with this name already exists on the workflow run: ${name}`
            }
          ]
        }
        const artifact: StoredArtifact = {
          id: nextId++,
          name,
          runBackendId: String(body['workflow_run_backend_id']),
          jobBackendId: String(body['workflow_job_run_backend_id']),
          size: 0,
          createdAt: new Date().toISOString(),
          finalized: false,
          blocks: new Map(),
          ...(typeof body['expires_at'] === 'string' ? { expiresAt: body['expires_at'] } : {})
        }
        artifacts.push(artifact)
        return [
          200,
          {
            ok: true,
            signed_upload_url: `${origin}/blob/${artifact.id}/${encodeURIComponent(name)}.zip?sig=upload-${artifact.id}`
          }
        ]
      }
      case 'FinalizeArtifact': {
        const artifact = artifacts.find(
          a => !a.finalized && a.name === body['name'] && a.runBackendId === body['workflow_run_backend_id']
        )
        if (!artifact?.blob) return [404, { code: 'not_found', msg: `no upload for ${String(body['name'])}` }]
        artifact.finalized = true
        artifact.size = Number(body['size'])
        if (options.folder) writeFileSync(join(options.folder, `${artifact.name}.zip`), artifact.blob)
        if (typeof body['hash'] === 'string') artifact.digest = body['hash']
        return [200, { ok: true, artifact_id: String(artifact.id) }]
      }
      case 'ListArtifacts': {
        const found = artifacts
          .filter(inRun)
          .filter(a => body['name_filter'] === undefined || a.name === body['name_filter'])
          .filter(a => body['id_filter'] === undefined || String(a.id) === String(body['id_filter']))
        return [
          200,
          {
            artifacts: found.map(a => ({
              workflow_run_backend_id: a.runBackendId,
              workflow_job_run_backend_id: a.jobBackendId,
              database_id: String(a.id),
              name: a.name,
              size: String(a.size),
              created_at: a.createdAt,
              ...(a.digest ? { digest: a.digest } : {})
            }))
          }
        ]
      }
      case 'GetSignedArtifactURL': {
        const artifact = artifacts.find(a => inRun(a) && a.name === body['name'])
        if (!artifact) return [404, { code: 'not_found', msg: `artifact not found: ${String(body['name'])}` }]
        return [
          200,
          {
            signed_url: `${origin}/blob/${artifact.id}/${encodeURIComponent(artifact.name)}.zip?sig=download-${artifact.id}`
          }
        ]
      }
      case 'DeleteArtifact': {
        const index = artifacts.findIndex(a => inRun(a) && a.name === body['name'])
        if (index < 0) return [404, { code: 'not_found', msg: `artifact not found: ${String(body['name'])}` }]
        const [removed] = artifacts.splice(index, 1)
        return [200, { ok: true, artifact_id: String(removed?.id) }]
      }
      default:
        return [404, { code: 'bad_route', msg: `no method ${method}` }]
    }
  }

  const blob = (req: IncomingMessage, url: URL, body: Buffer, res: ServerResponse): void => {
    const id = Number(url.pathname.split('/')[2])
    const artifact = artifacts.find(a => a.id === id)
    if (!artifact) return send(res, 404, 'application/xml', '<Error><Code>BlobNotFound</Code></Error>')
    const comp = url.searchParams.get('comp')
    if (req.method === 'PUT' && comp === 'block') {
      calls.push('PUT blob?comp=block')
      artifact.blocks.set(url.searchParams.get('blockid') ?? '', body)
      return send(res, 201, '', '', blobHeaders())
    }
    if (req.method === 'PUT' && comp === 'blocklist') {
      calls.push('PUT blob?comp=blocklist')
      const ids = [...body.toString('utf8').matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\//g)].map(
        m => m[1] ?? ''
      )
      artifact.blob = Buffer.concat(ids.map(blockId => artifact.blocks.get(blockId) ?? Buffer.alloc(0)))
      artifact.blocks.clear()
      return send(res, 201, '', '', blobHeaders())
    }
    if (req.method === 'GET' && artifact.blob) {
      calls.push('GET blob')
      return send(res, 200, 'application/zip', artifact.blob, {
        'Content-Disposition': `attachment; filename="${encodeURIComponent(artifact.name)}.zip"`
      })
    }
    send(res, 400, 'application/xml', '<Error><Code>UnsupportedOperation</Code></Error>')
  }

  /**
   * The slice of the GitHub REST API a download from another run uses (as `GITHUB_API_URL`): the latest
   * successful run of a workflow (always run 1, the one that uploaded), a run's artifacts by name, and an
   * artifact's zip as a redirect to its blob. Needs `Authorization: Bearer <github-token>`.
   */
  const rest = (req: IncomingMessage, url: URL, res: ServerResponse): void => {
    calls.push(`GET ${url.pathname}`)
    if (
      !/^Bearer .+/i.test(req.headers.authorization ?? '') &&
      !/^token .+/i.test(req.headers.authorization ?? '')
    ) {
      return send(res, 401, 'application/json', JSON.stringify({ message: 'Requires authentication' }))
    }
    const finalized = artifacts.filter(a => a.finalized)
    if (/^\/repos\/[^/]+\/[^/]+\/actions\/workflows\/[^/]+\/runs$/.test(url.pathname)) {
      return send(
        res,
        200,
        'application/json',
        JSON.stringify({ total_count: 1, workflow_runs: [{ id: PUBLIC_RUN_ID }] })
      )
    }
    const byRun = /^\/repos\/[^/]+\/[^/]+\/actions\/runs\/(\d+)\/artifacts$/.exec(url.pathname)
    if (byRun) {
      const name = url.searchParams.get('name')
      const found =
        Number(byRun[1]) === PUBLIC_RUN_ID ? finalized.filter(a => name === null || a.name === name) : []
      const list = found.map(a => ({
        id: a.id,
        name: a.name,
        size_in_bytes: a.size,
        created_at: a.createdAt,
        expired: false,
        ...(a.digest ? { digest: a.digest } : {})
      }))
      return send(res, 200, 'application/json', JSON.stringify({ total_count: list.length, artifacts: list }))
    }
    const zip = /^\/repos\/[^/]+\/[^/]+\/actions\/artifacts\/(\d+)\/zip$/.exec(url.pathname)
    const artifact = zip ? finalized.find(a => a.id === Number(zip[1])) : undefined
    if (artifact) {
      res.writeHead(302, {
        Location: `${origin}/blob/${artifact.id}/${encodeURIComponent(artifact.name)}.zip?sig=public`
      })
      res.end()
      return
    }
    send(res, 404, 'application/json', JSON.stringify({ message: 'Not Found' }))
  }

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const url = new URL(req.url ?? '/', origin)
      if (req.method === 'POST' && url.pathname.startsWith(TWIRP)) {
        const method = url.pathname.slice(TWIRP.length)
        calls.push(`POST ${method}`)
        if (req.headers.authorization !== `Bearer ${token}`) {
          return send(
            res,
            401,
            'application/json',
            JSON.stringify({ code: 'unauthenticated', msg: 'bad token' })
          )
        }
        const [status, reply] = twirp(
          method,
          JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>
        )
        return send(res, status, 'application/json', JSON.stringify(reply))
      }
      if (url.pathname.startsWith('/blob/')) return blob(req, url, body, res)
      if (req.method === 'GET' && url.pathname.startsWith('/repos/')) return rest(req, url, res)
      send(res, 404, 'text/plain', 'not found')
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const token = runtimeToken(runBackendId, jobBackendId)
  return {
    url: origin,
    runtimeToken: token,
    runBackendId,
    jobBackendId,
    artifacts,
    calls,
    env: {
      ACTIONS_RESULTS_URL: `${origin}/`,
      ACTIONS_RUNTIME_TOKEN: token,
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_API_URL: origin
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close(error => (error ? reject(error) : resolve()))
      })
  }
}

function blobHeaders(): Record<string, string> {
  return {
    ETag: `"0x${randomUUID().replace(/-/g, '').slice(0, 16).toUpperCase()}"`,
    'Last-Modified': new Date().toUTCString(),
    'x-ms-request-id': randomUUID(),
    'x-ms-version': '2025-01-05',
    'x-ms-request-server-encrypted': 'true'
  }
}

function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {}
): void {
  res.writeHead(status, {
    ...(contentType ? { 'Content-Type': contentType } : {}),
    'Content-Length': Buffer.byteLength(body),
    ...headers
  })
  res.end(body)
}
