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
/** The run the REST API says uploaded the artifacts of this run: what `run-id` and `workflow` downloads find. */
export const PUBLIC_RUN_ID = 1

/** A workflow run as the REST API lists it. Unset repositories are the repository the request names. */
export interface FakeRun {
  id: number
  /** The workflow's file name (`nightly.yml`). */
  workflow: string
  event: string
  branch: string
  sha: string
  conclusion: 'success' | 'failure'
  /** `owner/name` of the head repository: another one for a fork's pull request. */
  headRepository?: string
  createdAt: string
}

export interface StoredArtifact {
  id: number
  name: string
  /** The REST API's run ID of the run that uploaded it. */
  runId: number
  /** Set by a test: the REST API reports it expired (and refuses its zip). */
  expired?: boolean
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
  /** The runs the REST API lists, newest last; run 1 (this run's uploads) by default. */
  runs: FakeRun[]
  /** The default branch the REST API reports for any repository. */
  defaultBranch: string
  /** Puts a copy of a finalized artifact into another run (for the REST API only), as a later upload. */
  copyArtifact(
    from: StoredArtifact,
    to: { runId: number; name?: string; expiresAt?: string; expired?: boolean }
  ): StoredArtifact
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
  const runs: FakeRun[] = [
    {
      id: PUBLIC_RUN_ID,
      workflow: 'nightly.yml',
      event: 'schedule',
      branch: 'main',
      sha: 'a'.repeat(40),
      conclusion: 'success',
      createdAt: new Date(0).toISOString()
    }
  ]
  const state = { defaultBranch: 'main' }
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
          runId: PUBLIC_RUN_ID,
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
   * The slice of the GitHub REST API a download from another run uses (as `GITHUB_API_URL`): a repository
   * (its default branch), a workflow's runs (newest first, filtered by status, branch and event, paged),
   * a run, a run's artifacts by name, an artifact, and an artifact's zip as a redirect to its blob (410 once
   * expired). Needs `Authorization: Bearer <github-token>`.
   */
  const rest = (req: IncomingMessage, url: URL, res: ServerResponse): void => {
    calls.push(`GET ${url.pathname}`)
    if (
      !/^Bearer .+/i.test(req.headers.authorization ?? '') &&
      !/^token .+/i.test(req.headers.authorization ?? '')
    ) {
      return send(res, 401, 'application/json', JSON.stringify({ message: 'Requires authentication' }))
    }
    const json = (body: unknown): void => send(res, 200, 'application/json', JSON.stringify(body))
    const notFound = (): void => send(res, 404, 'application/json', JSON.stringify({ message: 'Not Found' }))
    const path = /^\/repos\/([^/]+\/[^/]+)(\/.*)?$/.exec(url.pathname)
    const repository = path?.[1] ?? ''
    const rest = path?.[2] ?? ''
    const runJson = (run: FakeRun) => ({
      id: run.id,
      run_number: run.id,
      event: run.event,
      status: 'completed',
      conclusion: run.conclusion,
      head_branch: run.branch,
      head_sha: run.sha,
      path: `.github/workflows/${run.workflow}`,
      created_at: run.createdAt,
      repository: { id: repoId(repository), full_name: repository },
      head_repository: {
        id: repoId(run.headRepository ?? repository),
        full_name: run.headRepository ?? repository
      }
    })
    const artifactJson = (a: StoredArtifact) => {
      const run = runs.find(r => r.id === a.runId)
      return {
        id: a.id,
        name: a.name,
        size_in_bytes: a.size,
        created_at: a.createdAt,
        expires_at: a.expiresAt ?? new Date(Date.parse(a.createdAt) + 90 * 86_400_000).toISOString(),
        expired: a.expired === true,
        ...(a.digest ? { digest: a.digest } : {}),
        workflow_run: {
          id: a.runId,
          head_branch: run?.branch,
          head_sha: run?.sha,
          repository_id: repoId(repository),
          head_repository_id: repoId(run?.headRepository ?? repository)
        }
      }
    }
    const finalized = artifacts.filter(a => a.finalized)
    if (rest === '')
      return json({ id: repoId(repository), full_name: repository, default_branch: state.defaultBranch })
    const workflowRuns = /^\/actions\/workflows\/([^/]+)\/runs$/.exec(rest)
    if (workflowRuns) {
      const workflow = decodeURIComponent(workflowRuns[1] ?? '')
      const q = url.searchParams
      const listed = runs
        .filter(r => r.workflow === workflow)
        .filter(r => q.get('status') !== 'success' || r.conclusion === 'success')
        .filter(r => q.get('branch') === null || r.branch === q.get('branch'))
        .filter(r => q.get('event') === null || r.event === q.get('event'))
        .reverse()
      const perPage = Number(q.get('per_page') ?? 30)
      const page = Number(q.get('page') ?? 1)
      return json({
        total_count: listed.length,
        workflow_runs: listed.slice((page - 1) * perPage, page * perPage).map(runJson)
      })
    }
    const oneRun = /^\/actions\/runs\/(\d+)$/.exec(rest)
    if (oneRun) {
      const run = runs.find(r => r.id === Number(oneRun[1]))
      return run ? json(runJson(run)) : notFound()
    }
    const byRun = /^\/actions\/runs\/(\d+)\/artifacts$/.exec(rest)
    if (byRun) {
      const name = url.searchParams.get('name')
      const list = finalized
        .filter(a => a.runId === Number(byRun[1]) && (name === null || a.name === name))
        .map(artifactJson)
      return json({ total_count: list.length, artifacts: list })
    }
    const oneArtifact = /^\/actions\/artifacts\/(\d+)(\/zip)?$/.exec(rest)
    const artifact = oneArtifact ? finalized.find(a => a.id === Number(oneArtifact[1])) : undefined
    if (!artifact) return notFound()
    if (!oneArtifact?.[2]) return json(artifactJson(artifact))
    if (artifact.expired)
      return send(res, 410, 'application/json', JSON.stringify({ message: 'Artifact has expired' }))
    res.writeHead(302, {
      Location: `${origin}/blob/${artifact.id}/${encodeURIComponent(artifact.name)}.zip?sig=public`
    })
    res.end()
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
    runs,
    get defaultBranch() {
      return state.defaultBranch
    },
    set defaultBranch(branch: string) {
      state.defaultBranch = branch
    },
    copyArtifact: (from, to) => {
      const copy: StoredArtifact = {
        ...from,
        id: nextId++,
        name: to.name ?? from.name,
        runId: to.runId,
        // Not of this run: the Twirp service (this run's artifacts) does not see it.
        runBackendId: `run-${to.runId}`,
        createdAt: new Date(Date.parse(from.createdAt) + nextId).toISOString(),
        blocks: new Map(),
        ...(to.expiresAt === undefined ? {} : { expiresAt: to.expiresAt }),
        ...(to.expired === undefined ? {} : { expired: to.expired })
      }
      artifacts.push(copy)
      return copy
    },
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

/** A stable numeric ID per repository name, as the REST API gives every repository one. */
function repoId(fullName: string): number {
  let id = 7
  for (const c of fullName.toLowerCase()) id = (id * 31 + c.charCodeAt(0)) % 1_000_000_007
  return id
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
