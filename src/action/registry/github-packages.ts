import { LicenseBackupError } from '../../engine/index.js'
import type { ManifestDeleter } from './keep.js'
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

const MAX_PAGES = 100

/** Deletes the package version whose name is the manifest's digest. */
export function githubPackagesDeleter(options: GitHubPackagesOptions): ManifestDeleter {
  let versions: Promise<{ base: string; ids: Map<string, number> }> | undefined
  return async digest => {
    versions ??= listVersions(options)
    const { base, ids } = await versions
    const id = ids.get(digest)
    if (id === undefined) return
    const response = await call(options, 'DELETE', `${base}/${id}`)
    if (response.status === 204 || response.status === 404) return
    throw apiError(options, response, `deleting version ${id} (${digest})`)
  }
}

async function listVersions(
  options: GitHubPackagesOptions
): Promise<{ base: string; ids: Map<string, number> }> {
  const { owner, name } = ghcrPackage(options.repository)
  const kinds: OwnerKind[] = options.ownerKind ? [options.ownerKind] : ['orgs', 'users']
  for (const kind of kinds) {
    const base = `${options.apiUrl}/${kind}/${owner}/packages/container/${encodeURIComponent(name)}/versions`
    const ids = new Map<string, number>()
    for (let page = 1; page <= MAX_PAGES; page++) {
      const response = await call(options, 'GET', `${base}?per_page=100&page=${page}`)
      if (response.status === 404 && page === 1) break
      if (response.status !== 200) throw apiError(options, response, 'listing the package versions')
      const list = (await response.json()) as unknown
      if (!Array.isArray(list)) throw apiError(options, response, 'listing the package versions')
      for (const version of list as { id?: unknown; name?: unknown }[]) {
        if (typeof version.id === 'number' && typeof version.name === 'string')
          ids.set(version.name, version.id)
      }
      if (list.length < 100) return { base, ids }
    }
    if (ids.size > 0) return { base, ids }
  }
  throw new LicenseBackupError(
    'CONFIG_INVALID',
    `GitHub has no container package ${name} owned by ${owner} that this token can see (${options.apiUrl}): check the repository name and that the token has \`packages: write\`.`,
    { url: packageLink(options.repository, options.ownerKind) }
  )
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

function apiError(options: GitHubPackagesOptions, response: Response, what: string): LicenseBackupError {
  const forbidden = response.status === 401 || response.status === 403
  return new LicenseBackupError(
    forbidden ? 'UNAUTHORIZED' : 'SERVICE_ERROR',
    `GitHub's Packages API (${options.apiUrl}) answered HTTP ${response.status} ${what} for ghcr.io/${options.repository.name}` +
      (forbidden
        ? ': the token may not delete package versions; give the workflow `packages: write` and the repository admin access to the package.'
        : '.'),
    { url: packageLink(options.repository, options.ownerKind) }
  )
}
