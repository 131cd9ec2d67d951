import { LicenseBackupError } from '../../engine/index.js'

/** What the GitHub REST API calls need: the API's base URL, the `github-token` input, and fetch. */
export interface GitHubApi {
  apiUrl: string
  token: string
  fetch: typeof fetch
}

/**
 * GET a REST API resource as JSON. A 404 is `undefined` (the caller names what was missing); 401/403 is
 * UNAUTHORIZED naming the permission; any other failure is IO_ERROR naming the URL.
 */
export async function githubGet(
  api: GitHubApi,
  path: string,
  query: Record<string, string | number> = {}
): Promise<unknown> {
  const url = new URL(`${api.apiUrl.replace(/\/+$/, '')}${path}`)
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value))
  let response: Response
  try {
    response = await api.fetch(url, {
      headers: {
        Authorization: `Bearer ${api.token}`,
        Accept: 'application/vnd.github+json',
        'X-GitHub-Api-Version': '2022-11-28'
      }
    })
  } catch (error) {
    throw new LicenseBackupError(
      'IO_ERROR',
      `Could not reach the GitHub API at ${url.href}: ${String(error)}`,
      {
        url: url.href,
        cause: error
      }
    )
  }
  if (response.status === 404) return undefined
  if (response.status === 401 || response.status === 403) {
    throw new LicenseBackupError(
      'UNAUTHORIZED',
      `The GitHub API refused ${url.pathname} (HTTP ${response.status}): give the \`github-token\` input a token with \`actions: read\` on that repository.`,
      { url: url.href }
    )
  }
  if (!response.ok) {
    throw new LicenseBackupError(
      'IO_ERROR',
      `The GitHub API answered HTTP ${response.status} to ${url.href}.`,
      {
        url: url.href
      }
    )
  }
  try {
    return await response.json()
  } catch (error) {
    throw new LicenseBackupError(
      'IO_ERROR',
      `The GitHub API answered ${url.href} with something other than JSON.`,
      {
        url: url.href,
        cause: error
      }
    )
  }
}
