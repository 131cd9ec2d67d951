import { LicenseBackupError } from '../../engine/index.js'
import type { ManifestDeleter } from './keep.js'
import { followable } from './origins.js'
import type { RegistryRepository } from './reference.js'

/**
 * GitHub's container registry answers the OCI manifest DELETE with 405 UNSUPPORTED: a version is deleted
 * through the GitHub Packages REST API instead, with the same token (ADR 0102).
 */
export function isGhcr(repository: RegistryRepository): boolean {
  return repository.host.toLowerCase() === 'ghcr.io'
}

export type OwnerKind = 'orgs' | 'users'

/** `ghcr.io/acme/tools/backups` → owner `acme`, package `tools/backups`. */
export function ghcrPackage(repository: RegistryRepository): { owner: string; name: string } {
  const [owner = '', ...rest] = repository.name.split('/')
  return { owner, name: rest.join('/') }
}

/** The package's page on GitHub; the plain reference for any other registry. */
export function packageLink(repository: RegistryRepository, ownerKind: OwnerKind | undefined): string {
  if (!isGhcr(repository)) return `${repository.host}/${repository.name}`
  const { owner, name } = ghcrPackage(repository)
  return `https://github.com/${ownerKind ?? 'orgs'}/${owner}/packages/container/package/${encodeURIComponent(name)}`
}

/** The package's settings page, where its Admin role is granted to a repository (Manage Actions access). */
export function packageSettings(repository: RegistryRepository, ownerKind: OwnerKind | undefined): string {
  const { owner, name } = ghcrPackage(repository)
  return `https://github.com/${ownerKind ?? 'orgs'}/${owner}/packages/container/${encodeURIComponent(name)}/settings`
}

export interface GitHubPackagesOptions {
  repository: RegistryRepository
  apiUrl: string
  token: string
  fetch: typeof fetch
  /** Whether the owner is an organization or a user, when known; else both are tried. */
  ownerKind?: OwnerKind
}

/** 1,000,000 versions: a package this large is not one `keep` has been pruning, so stop and say so. */
const MAX_PAGES = 10_000

/** Deletes the package version whose name is the manifest's digest. */
export function githubPackagesDeleter(options: GitHubPackagesOptions): ManifestDeleter {
  let versions: Promise<{ base: string; ids: Map<string, number> }> | undefined
  return async digest => {
    versions ??= listVersions(options)
    const { base, ids } = await versions
    const id = ids.get(digest)
    if (id === undefined) return
    const response = await call(options, 'DELETE', `${base}/${id}`)
    // 404 is also GitHub's answer to a token without the Admin role: keep lists again to tell.
    if (response.status === 204 || response.status === 404) return
    throw await apiError(options, response, `deleting version ${id} (${digest})`)
  }
}

/** The package's visibility (`public`, `private`, `internal`), or undefined when GitHub does not say. */
export async function packageVisibility(options: GitHubPackagesOptions): Promise<string | undefined> {
  const { owner, name } = ghcrPackage(options.repository)
  for (const kind of options.ownerKind ? [options.ownerKind] : (['orgs', 'users'] as const)) {
    const response = await call(
      options,
      'GET',
      `${options.apiUrl}/${kind}/${owner}/packages/container/${encodeURIComponent(name)}`
    )
    if (response.status !== 200) {
      await response.body?.cancel()
      continue
    }
    const body = (await response.json()) as { visibility?: unknown }
    return typeof body.visibility === 'string' ? body.visibility : undefined
  }
  return undefined
}

async function listVersions(
  options: GitHubPackagesOptions
): Promise<{ base: string; ids: Map<string, number> }> {
  const { owner, name } = ghcrPackage(options.repository)
  const kinds: OwnerKind[] = options.ownerKind ? [options.ownerKind] : ['orgs', 'users']
  for (const kind of kinds) {
    const base = `${options.apiUrl}/${kind}/${owner}/packages/container/${encodeURIComponent(name)}/versions`
    const ids = await versionPages(options, base)
    if (ids) return { base, ids }
  }
  throw new LicenseBackupError(
    'CONFIG_INVALID',
    `GitHub has no container package ${name} owned by ${owner} that this token can see (${options.apiUrl}): check the repository name and that the token has \`packages: write\`.`,
    { url: packageLink(options.repository, options.ownerKind) }
  )
}

/** Every version, following the `Link: <…>; rel="next"` pages to the end; undefined: no such package. */
async function versionPages(
  options: GitHubPackagesOptions,
  base: string
): Promise<Map<string, number> | undefined> {
  const ids = new Map<string, number>()
  let url: string | undefined = `${base}?per_page=100`
  for (let page = 1; url !== undefined; page++) {
    if (page > MAX_PAGES) {
      throw new LicenseBackupError(
        'SERVICE_ERROR',
        `GitHub's Packages API lists more than ${MAX_PAGES * 100} versions of ghcr.io/${options.repository.name}; keep stops rather than decide on part of them. Prune the package by hand.`,
        { url: packageLink(options.repository, options.ownerKind) }
      )
    }
    const response = await call(options, 'GET', url)
    if (response.status === 404 && page === 1) {
      await response.body?.cancel()
      return undefined
    }
    if (response.status !== 200) throw await apiError(options, response, 'listing the package versions')
    const next = nextLink(response.headers.get('link'))
    const list = (await response.json()) as unknown
    if (!Array.isArray(list)) throw await apiError(options, response, 'listing the package versions')
    for (const version of list as { id?: unknown; name?: unknown }[]) {
      if (typeof version.id === 'number' && typeof version.name === 'string')
        ids.set(version.name, version.id)
    }
    url =
      next === undefined
        ? undefined
        : followable(next, base, 'GitHub', 'linked the next page of versions to').href
  }
  return ids
}

function nextLink(link: string | null): string | undefined {
  return (link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link) : null)?.[1]
}

async function call(
  options: GitHubPackagesOptions,
  method: 'GET' | 'DELETE',
  url: string
): Promise<Response> {
  return options.fetch(url, {
    method,
    headers: {
      authorization: `Bearer ${options.token}`,
      accept: 'application/vnd.github+json',
      'x-github-api-version': '2022-11-28'
    },
    signal: AbortSignal.timeout(60_000)
  })
}

async function apiError(
  options: GitHubPackagesOptions,
  response: Response,
  what: string
): Promise<LicenseBackupError> {
  const forbidden = response.status === 401 || response.status === 403
  const said = await githubMessage(response)
  return new LicenseBackupError(
    forbidden ? 'UNAUTHORIZED' : 'SERVICE_ERROR',
    `GitHub's Packages API (${options.apiUrl}) answered HTTP ${response.status}${said} ${what} for ghcr.io/${options.repository.name}` +
      (forbidden
        ? ': the token may not delete package versions; give the workflow `packages: write` and its repository the Admin role on the package.'
        : '.'),
    { url: packageLink(options.repository, options.ownerKind) }
  )
}

/** ` ("message")` from GitHub's `{ message }` body, printable and short; empty when there is none. */
async function githubMessage(response: Response): Promise<string> {
  if (response.bodyUsed) return ''
  const body = (await response.json().catch(() => undefined)) as { message?: unknown } | undefined
  if (typeof body?.message !== 'string') return ''
  return ` ("${body.message
    .replace(/[^\x20-\x7e]/g, ' ')
    .replace(/##\[/g, '#-[')
    .slice(0, 200)}")`
}
