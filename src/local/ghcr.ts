// A stand-in for GitHub's container registry (ghcr.io) and the part of GitHub's Packages REST API that
// deletes its versions, on 127.0.0.1 over plain HTTP, for tests and benchmarks. It models what GHCR does
// differently from the CNCF distribution registry, as GitHub documents it and its users report it:
// - PATCH chunks over 4 MiB are refused with 416 ("exceeds the maximum permissible limit of 4.00MiB");
// - the token endpoint refuses with HTTP 200 and an `errors` body;
// - every challenge names `:pull`, also for a push: a client that asks only what it is told never pushes;
// - the OCI manifest DELETE is 405 UNSUPPORTED; versions are deleted through the Packages API, which needs
//   the Admin role on the package (answering 404 without it), refuses the last tagged version and public
//   versions downloaded over 5,000 times (400), and lists versions in pages;
// - packages belong to a user or an organisation, and are public or private.
import { createHash, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export const GHCR_CHUNK_LIMIT = 4 * 1024 * 1024

export interface GhcrStandInOptions {
  /** Token passwords and what they may do. */
  tokens: Record<string, { push: boolean; admin: boolean }>
  /** Namespace owners: user or organisation. */
  owners: Record<string, 'users' | 'orgs'>
  visibility?: 'public' | 'private'
  /** Downloads each version reports (over 5,000 on a public package: the API refuses the delete). */
  downloads?: number
  /** Versions per page of the Packages API at most (GitHub: 100). */
  maxPerPage?: number
  /** The origin its challenges name for the token realm, when a test fronts it as https://ghcr.io. */
  realmOrigin?: string
}

export interface GhcrStandIn {
  /** `http://127.0.0.1:<port>`: the registry, its token realm, and the Packages API (`apiUrl`). */
  url: string
  host: string
  apiUrl: string
  /** Each PATCH's size, in order. */
  patches: number[]
  /** The scopes of each token request, in order. */
  tokenScopes: string[][]
  /** Tags of a repository (`owner/name`), sorted. */
  tags(repository: string): string[]
  /** Puts a tag on a manifest by digest, as another client would. */
  tag(repository: string, tag: string, digest: string): void
  close(): Promise<void>
}

interface Repo {
  manifests: Map<string, Buffer>
  tags: Map<string, string>
  versions: Map<string, number>
}

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json'

export async function startGhcrStandIn(options: GhcrStandInOptions): Promise<GhcrStandIn> {
  const blobs = new Map<string, Buffer>()
  const uploads = new Map<string, Buffer[]>()
  const repos = new Map<string, Repo>()
  const tokens = new Map<string, { repository: string; push: boolean; admin: boolean }>()
  const patches: number[] = []
  const tokenScopes: string[][] = []
  let nextVersion = 1000
  let origin = ''
  const repo = (name: string): Repo => {
    let found = repos.get(name)
    if (!found) repos.set(name, (found = { manifests: new Map(), tags: new Map(), versions: new Map() }))
    return found
  }

  const server = createServer((req, res) => {
    void handle(req, res).catch(error => {
      res.writeHead(500).end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: String(error) }] }))
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin)
    if (url.pathname === '/token') return token(req, url, res)
    if (url.pathname.startsWith('/api/')) return api(req, url, res)
    const match = /^\/v2\/(.+?)\/(blobs\/uploads\/?(.*)|blobs\/(.+)|manifests\/(.+)|tags\/list)$/.exec(
      url.pathname
    )
    if (!match) return json(res, 404, { errors: [{ code: 'NAME_UNKNOWN' }] })
    const name = match[1] ?? ''
    const granted = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''))
    const writing = req.method !== 'GET' && req.method !== 'HEAD'
    if (!granted || granted.repository !== name || (writing && !granted.push)) {
      // GHCR's challenge names `:pull` whatever the request.
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="${options.realmOrigin ?? origin}/token",service="ghcr.io",scope="repository:${name}:pull"`
      })
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }))
      return
    }
    const body = writing ? await read(req) : Buffer.alloc(0)
    if (match[2]?.startsWith('blobs/uploads')) return upload(req, url, res, match[3] ?? '', body)
    if (match[4]) return blob(req, res, match[4])
    if (match[5]) return manifest(req, res, repo(name), match[5], body)
    return tagList(url, res, repo(name), name)
  }

  function token(req: IncomingMessage, url: URL, res: ServerResponse): void {
    const scopes = url.searchParams.getAll('scope')
    tokenScopes.push(scopes)
    const [, password = ''] = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':')
    const rights = options.tokens[password]
    const scope = scopes.map(s => /^repository:(.+):([a-z,*]+)$/.exec(s)).find(m => m)
    if (!rights || !scope?.[1]) {
      return json(res, 200, { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] })
    }
    const issued = randomUUID()
    const push = rights.push && (scope[2] ?? '').split(',').includes('push')
    tokens.set(issued, { repository: scope[1], push, admin: rights.admin })
    json(res, 200, { token: issued })
  }

  function upload(req: IncomingMessage, url: URL, res: ServerResponse, id: string, body: Buffer): void {
    const name = url.pathname.split('/blobs/')[0] ?? ''
    if (req.method === 'POST') {
      const fresh = randomUUID()
      uploads.set(fresh, [])
      res.writeHead(202, { location: `${name}/blobs/uploads/${fresh}`, range: '0-0' }).end()
      return
    }
    const parts = uploads.get(id)
    if (!parts) return json(res, 404, { errors: [{ code: 'BLOB_UPLOAD_UNKNOWN' }] })
    if (req.method === 'PATCH') {
      patches.push(body.length)
      if (body.length > GHCR_CHUNK_LIMIT) {
        return json(res, 416, {
          errors: [
            {
              code: 'SIZE_INVALID',
              message: 'blob chunk size exceeds the maximum permissible limit of 4.00MiB'
            }
          ]
        })
      }
      parts.push(body)
      const size = parts.reduce((n, p) => n + p.length, 0)
      res.writeHead(202, { location: `${name}/blobs/uploads/${id}`, range: `0-${size - 1}` }).end()
      return
    }
    if (req.method !== 'PUT') return json(res, 405, { errors: [{ code: 'UNSUPPORTED' }] })
    const bytes = Buffer.concat([...parts, body])
    const digest = url.searchParams.get('digest') ?? ''
    if (digest !== sha256(bytes)) return json(res, 400, { errors: [{ code: 'DIGEST_INVALID' }] })
    uploads.delete(id)
    blobs.set(digest, bytes)
    res.writeHead(201, { location: `${name}/blobs/${digest}`, 'docker-content-digest': digest }).end()
  }

  function blob(req: IncomingMessage, res: ServerResponse, digest: string): void {
    const bytes = blobs.get(digest)
    if (!bytes) return json(res, 404, { errors: [{ code: 'BLOB_UNKNOWN' }] })
    res.writeHead(200, { 'content-length': String(bytes.length), 'docker-content-digest': digest })
    res.end(req.method === 'HEAD' ? undefined : bytes)
  }

  function manifest(req: IncomingMessage, res: ServerResponse, r: Repo, ref: string, body: Buffer): void {
    if (req.method === 'DELETE') return json(res, 405, { errors: [{ code: 'UNSUPPORTED' }] })
    if (req.method === 'PUT') {
      const digest = sha256(body)
      r.manifests.set(digest, body)
      if (!r.versions.has(digest)) r.versions.set(digest, nextVersion++)
      if (!ref.startsWith('sha256:')) r.tags.set(ref, digest)
      res.writeHead(201, { 'docker-content-digest': digest }).end()
      return
    }
    const digest = ref.startsWith('sha256:') ? ref : r.tags.get(ref)
    const bytes = digest ? r.manifests.get(digest) : undefined
    if (!digest || !bytes) return json(res, 404, { errors: [{ code: 'MANIFEST_UNKNOWN' }] })
    res.writeHead(200, { 'content-type': MANIFEST, 'docker-content-digest': digest })
    res.end(req.method === 'HEAD' ? undefined : bytes)
  }

  function tagList(url: URL, res: ServerResponse, r: Repo, name: string): void {
    const n = Number(url.searchParams.get('n') ?? 100)
    const last = url.searchParams.get('last') ?? ''
    const all = [...r.tags.keys()].sort().filter(t => t > last)
    const page = all.slice(0, n)
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (all.length > n) headers['link'] = `</v2/${name}/tags/list?n=${n}&last=${page.at(-1)}>; rel="next"`
    res.writeHead(200, headers).end(JSON.stringify({ name, tags: page }))
  }

  /** `/api/{users|orgs}/{owner}/packages/container/{package}[/versions[/{id}]]` */
  function api(req: IncomingMessage, url: URL, res: ServerResponse): void {
    const match =
      /^\/api\/(users|orgs)\/([^/]+)\/packages\/container\/([^/]+)(\/versions(?:\/(\d+))?)?$/.exec(
        url.pathname
      )
    // The Packages API takes the token itself (a GITHUB_TOKEN), not a registry token.
    const rights = options.tokens[(req.headers.authorization ?? '').replace(/^Bearer /, '')]
    if (!rights) return json(res, 401, { message: 'Bad credentials' })
    const [, kind, owner = '', pkg = ''] = match ?? []
    const name = `${owner}/${decodeURIComponent(pkg)}`
    const r = repos.get(name)
    if (!match || options.owners[owner] !== kind || !r)
      return json(res, 404, { message: 'Package not found.' })
    if (!match[4]) return json(res, 200, { name: decodeURIComponent(pkg), visibility: visibility() })
    if (req.method === 'DELETE') return deleteVersion(res, r, Number(match[5]), rights.admin)
    const perPage = Math.min(Number(url.searchParams.get('per_page') ?? 30), options.maxPerPage ?? 100)
    const page = Number(url.searchParams.get('page') ?? 1)
    const list = [...r.versions.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([digest, id]) => ({
        id,
        name: digest,
        metadata: { package_type: 'container', container: { tags: tagsOf(r, digest) } }
      }))
    const slice = list.slice((page - 1) * perPage, page * perPage)
    const headers: Record<string, string> = { 'content-type': 'application/json' }
    if (page * perPage < list.length) {
      headers['link'] = `<${origin}${url.pathname}?per_page=${perPage}&page=${page + 1}>; rel="next"`
    }
    res.writeHead(200, headers).end(JSON.stringify(slice))
  }

  function deleteVersion(res: ServerResponse, r: Repo, id: number, admin: boolean): void {
    const digest = [...r.versions.entries()].find(([, v]) => v === id)?.[0]
    // Without the Admin role GHCR answers as if the version were not there.
    if (!digest || !admin) return json(res, 404, { message: 'Package version not found.' })
    const tagged = [...r.versions.keys()].filter(d => tagsOf(r, d).length > 0)
    if (tagged.length === 1 && tagged[0] === digest) {
      return json(res, 400, { message: 'You cannot delete the last tagged version of a package.' })
    }
    if (visibility() === 'public' && (options.downloads ?? 0) > 5000) {
      return json(res, 400, {
        message: 'Publicly visible package versions with more than 5000 downloads cannot be deleted.'
      })
    }
    r.versions.delete(digest)
    r.manifests.delete(digest)
    for (const [tag, d] of r.tags) if (d === digest) r.tags.delete(tag)
    res.writeHead(204).end()
  }

  const visibility = (): string => options.visibility ?? 'private'

  await new Promise<void>(done => server.listen(0, '127.0.0.1', done))
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`
  origin = `http://${host}`
  return {
    url: origin,
    host,
    apiUrl: `${origin}/api`,
    patches,
    tokenScopes,
    tags: name => [...(repos.get(name)?.tags.keys() ?? [])].sort(),
    tag: (name, tag, digest) => void repo(name).tags.set(tag, digest),
    close: () => closeServer(server)
  }
}

function tagsOf(r: Repo, digest: string): string[] {
  return [...r.tags.entries()].filter(([, d]) => d === digest).map(([t]) => t)
}

async function read(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
}

function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()
  await new Promise(done => server.close(done))
}
