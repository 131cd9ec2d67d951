// CHANGELOG.md (Keep a Changelog 1.1.0): cuts a release from the Unreleased section, and prints one
// release's notes for the GitHub release. Used by scripts/release and .github/workflows/release.yml:
//   node scripts/run-ts.mjs scripts/changelog.ts cut 1.2.3 [YYYY-MM-DD]   (rewrites CHANGELOG.md)
//   node scripts/run-ts.mjs scripts/changelog.ts notes 1.2.3              (prints the section's body)
import { readFileSync, writeFileSync } from 'node:fs'

const UNRELEASED = '## [Unreleased]'
const SEMVER = /^\d+\.\d+\.\d+$/

/** The heading line of a release section: `## [1.2.3] - 2026-11-30`. */
function headingOf(version: string, date: string): string {
  return `## [${version}] - ${date}`
}

/** Start and end (exclusive) of the section whose heading starts with `prefix`, in the changelog's lines. */
function sectionBounds(lines: string[], prefix: string): { start: number; end: number } | undefined {
  const start = lines.findIndex(line => line.startsWith(prefix))
  if (start < 0) return undefined
  let end = start + 1
  while (end < lines.length && !lines[end]?.startsWith('## ') && !/^\[[^\]]+\]: /.test(lines[end] ?? ''))
    end++
  return { start, end }
}

function bodyOf(lines: string[], bounds: { start: number; end: number }): string {
  return lines
    .slice(bounds.start + 1, bounds.end)
    .join('\n')
    .trim()
}

/** The notes of one release: its section's body, without the heading. */
export function releaseNotes(changelog: string, version: string): string {
  const lines = changelog.split('\n')
  const bounds = sectionBounds(lines, `## [${version}]`)
  if (!bounds)
    throw new Error(`CHANGELOG.md has no section "## [${version}]"; run scripts/release ${version}.`)
  const body = bodyOf(lines, bounds)
  if (body === '') throw new Error(`CHANGELOG.md's section for ${version} is empty; say what changed.`)
  return body
}

/**
 * The changelog with the Unreleased section released as `version` on `date`: a new empty Unreleased
 * section above it, and the compare links at the bottom updated. `repository` is `https://github.com/o/n`.
 */
export function cutRelease(changelog: string, version: string, date: string, repository: string): string {
  if (!SEMVER.test(version)) throw new Error(`"${version}" is not a version of the form 1.2.3.`)
  const lines = changelog.split('\n')
  if (sectionBounds(lines, `## [${version}]`))
    throw new Error(`CHANGELOG.md already has a section for ${version}.`)
  const unreleased = sectionBounds(lines, UNRELEASED)
  if (!unreleased) throw new Error(`CHANGELOG.md has no "${UNRELEASED}" section to release.`)
  if (bodyOf(lines, unreleased) === '') {
    throw new Error(`CHANGELOG.md's Unreleased section is empty: there is nothing to release as ${version}.`)
  }
  const previous = /^## \[(\d+\.\d+\.\d+)\]/m.exec(lines.slice(unreleased.end).join('\n'))?.[1]
  lines.splice(unreleased.start + 1, 0, '', headingOf(version, date))
  const links = lines.filter(line => !/^\[Unreleased\]: /.test(line))
  const at = links.findIndex(line => /^\[[^\]]+\]: /.test(line))
  const fresh = [
    `[Unreleased]: ${repository}/compare/v${version}...HEAD`,
    previous === undefined
      ? `[${version}]: ${repository}/releases/tag/v${version}`
      : `[${version}]: ${repository}/compare/v${previous}...v${version}`
  ]
  if (at < 0) return [...trimEnd(links), '', ...fresh, ''].join('\n')
  links.splice(at, 0, ...fresh)
  return links.join('\n')
}

function trimEnd(lines: string[]): string[] {
  const copy = [...lines]
  while (copy.length > 0 && copy[copy.length - 1]?.trim() === '') copy.pop()
  return copy
}

/** `https://github.com/owner/name` from package.json's `repository`. */
export function repositoryUrl(packageJson: { repository?: string | { url?: string } }): string {
  const raw =
    typeof packageJson.repository === 'string' ? packageJson.repository : packageJson.repository?.url
  const match = /github\.com[/:]([^/]+\/[^/]+?)(\.git)?$/.exec(raw ?? '')
  if (!match) throw new Error('package.json has no GitHub "repository" URL; add one.')
  return `https://github.com/${match[1]}`
}

function main(argv: string[]): void {
  const [command, version = '', date = new Date().toISOString().slice(0, 10)] = argv
  const changelog = readFileSync('CHANGELOG.md', 'utf8')
  if (command === 'notes') {
    process.stdout.write(releaseNotes(changelog, version) + '\n')
    return
  }
  if (command === 'cut') {
    const repository = repositoryUrl(JSON.parse(readFileSync('package.json', 'utf8')) as object)
    writeFileSync('CHANGELOG.md', cutRelease(changelog, version, date, repository))
    return
  }
  throw new Error('usage: changelog.ts notes <version> | cut <version> [YYYY-MM-DD]')
}

if (process.argv[1]?.endsWith('changelog.mjs')) {
  try {
    main(process.argv.slice(2))
  } catch (error) {
    console.error((error as Error).message)
    process.exitCode = 1
  }
}
