import { describe, expect, it } from '@jest/globals'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cutRelease, releaseNotes, repositoryUrl } from '../../scripts/changelog.js'
import { itOnPosix } from '../support/platform.js'

const REPO = 'https://github.com/o/n'

const first = `# Changelog

Intro.

## [Unreleased]

### Added

- Backups.
`

describe('cutRelease', () => {
  it('turns the Unreleased section into the first release, with a tag link', () => {
    const cut = cutRelease(first, '1.0.0', '2026-12-01', REPO)
    expect(cut).toBe(`# Changelog

Intro.

## [Unreleased]

## [1.0.0] - 2026-12-01

### Added

- Backups.

[Unreleased]: ${REPO}/compare/v1.0.0...HEAD
[1.0.0]: ${REPO}/releases/tag/v1.0.0
`)
    expect(releaseNotes(cut, '1.0.0')).toBe('### Added\n\n- Backups.')
  })

  it('links a later release to the one before it, keeping the older links', () => {
    const one = cutRelease(first, '1.0.0', '2026-12-01', REPO)
    const next = one.replace('## [Unreleased]\n', '## [Unreleased]\n\n### Fixed\n\n- Windows paths.\n')
    const cut = cutRelease(next, '1.0.1', '2026-12-02', REPO)
    expect(releaseNotes(cut, '1.0.1')).toBe('### Fixed\n\n- Windows paths.')
    expect(releaseNotes(cut, '1.0.0')).toBe('### Added\n\n- Backups.')
    expect(cut.split('\n').filter(line => line.startsWith('['))).toEqual([
      `[Unreleased]: ${REPO}/compare/v1.0.1...HEAD`,
      `[1.0.1]: ${REPO}/compare/v1.0.0...v1.0.1`,
      `[1.0.0]: ${REPO}/releases/tag/v1.0.0`
    ])
  })

  it('refuses an empty Unreleased section, a version released before, and a version not like 1.2.3', () => {
    const one = cutRelease(first, '1.0.0', '2026-12-01', REPO)
    expect(() => cutRelease(one, '1.0.1', '2026-12-02', REPO)).toThrow(/Unreleased section is empty/)
    expect(() => cutRelease(first.replace('## [Unreleased]', '## [1.0.0] - x'), '1.0.0', 'd', REPO)).toThrow(
      /already has a section for 1\.0\.0/
    )
    expect(() => cutRelease(first, 'v1.0', 'd', REPO)).toThrow(/not a version of the form 1\.2\.3/)
  })
})

describe('releaseNotes', () => {
  it('names the missing section and what to run', () => {
    expect(() => releaseNotes(first, '9.9.9')).toThrow(
      'CHANGELOG.md has no section "## [9.9.9]"; run scripts/release 9.9.9.'
    )
  })
})

describe('CHANGELOG.md and package.json', () => {
  it('has an Unreleased section a release can be cut from', () => {
    const changelog = readFileSync('CHANGELOG.md', 'utf8')
    expect(() => cutRelease(changelog, '99.0.0', '2026-12-01', REPO)).not.toThrow()
  })

  it('names the GitHub repository the changelog links point to', () => {
    const packageJson = JSON.parse(readFileSync('package.json', 'utf8')) as object
    expect(repositoryUrl(packageJson)).toBe('https://github.com/license-backup/license-backup')
    expect(repositoryUrl({ repository: 'git@github.com:o/n.git' })).toBe(REPO)
    expect(() => repositoryUrl({})).toThrow(/no GitHub "repository" URL/)
  })
})

describe('scripts/release', () => {
  const run = (cwd: string, ...args: string[]) =>
    spawnSync('bash', [join(cwd, 'scripts/release'), ...args], { cwd, encoding: 'utf8' })

  itOnPosix('scripts/release is a bash script for the maintainer’s machine')(
    'takes a version like 1.2.3 and releases only from a clean main',
    () => {
      expect(run('.', 'v1.2')).toMatchObject({
        status: 2,
        stderr: expect.stringContaining('usage: scripts/release')
      })
      const clone = mkdtempSync(join(tmpdir(), 'lb-release-'))
      try {
        execFileSync('git', ['clone', '-q', '--local', '.', clone])
        execFileSync('git', ['checkout', '-q', '-b', 'topic'], { cwd: clone })
        expect(run(clone, '1.2.3')).toMatchObject({
          status: 1,
          stderr: 'scripts/release: releases are cut from main; check out main first.\n'
        })
        execFileSync('git', ['checkout', '-q', '-B', 'main'], { cwd: clone })
        writeFileSync(join(clone, 'CHANGELOG.md'), 'edited')
        expect(run(clone, '1.2.3')).toMatchObject({
          status: 1,
          stderr: 'scripts/release: the work tree has changes; commit or stash them first.\n'
        })
      } finally {
        rmSync(clone, { recursive: true, force: true })
      }
    }
  )
})
