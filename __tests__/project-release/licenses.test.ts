import { describe, expect, it } from '@jest/globals'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { bundledPackageDirs, licensesText, packageDirOf } from '../../scripts/licenses.mjs'

/** The package folders esbuild names in its `// node_modules/…` comments in dist/. */
function packagesInDist(): string[] {
  const dirs = new Set<string>()
  const files = ['dist/index.js', ...readdirSync('dist/chunks').map(name => join('dist/chunks', name))]
  for (const file of files) {
    for (const match of readFileSync(file, 'utf8').matchAll(/^\/\/ (node_modules\/\S+)$/gm)) {
      const dir = packageDirOf(match[1] ?? '')
      if (dir !== undefined) dirs.add(dir)
    }
  }
  return [...dirs]
}

function writePackage(root: string, dir: string, json: object, files: Record<string, string> = {}): void {
  mkdirSync(join(root, dir), { recursive: true })
  writeFileSync(join(root, dir, 'package.json'), JSON.stringify(json))
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, dir, name), text)
}

describe('dist/licenses.txt', () => {
  it('carries the notice of every package whose code is in dist/', () => {
    const notices = readFileSync('dist/licenses.txt', 'utf8')
    const packages = packagesInDist()
    expect(packages.length).toBeGreaterThan(10)
    for (const dir of packages) {
      const { name, version } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name: string
        version: string
      }
      expect({ dir, listed: notices.includes(`\n${name} ${version}\nLicense: `) }).toEqual({
        dir,
        listed: true
      })
    }
  })

  it('carries the licence texts themselves, not only their names', () => {
    const notices = readFileSync('dist/licenses.txt', 'utf8')
    expect(notices).toContain(readFileSync('node_modules/yaml/LICENSE', 'utf8').trimEnd())
    expect(notices).toContain(readFileSync('node_modules/jose/LICENSE.md', 'utf8').trimEnd())
  })
})

describe('packageDirOf', () => {
  it('names the package folder of an input, scoped or nested', () => {
    expect(packageDirOf('node_modules/yaml/dist/index.js')).toBe('node_modules/yaml')
    expect(packageDirOf('node_modules/@actions/core/lib/core.js')).toBe('node_modules/@actions/core')
    expect(packageDirOf('node_modules/a/node_modules/@s/b/x.js')).toBe('node_modules/a/node_modules/@s/b')
  })

  it('ignores the project’s own sources', () => {
    expect(packageDirOf('src/engine/index.ts')).toBeUndefined()
  })
})

describe('licensesText', () => {
  const root = mkdtempSync(join(tmpdir(), 'licenses-'))
  writePackage(
    root,
    'node_modules/with-file',
    { name: 'with-file', version: '1.0.0', license: 'MIT' },
    {
      LICENSE: 'MIT License\r\n\r\nCopyright (c) Someone\r\n',
      'index.js': ''
    }
  )
  writePackage(root, 'node_modules/@s/bare', { name: '@s/bare', version: '2.0.0' })
  writePackage(
    root,
    'node_modules/x/node_modules/with-file',
    { name: 'with-file', version: '1.0.0', license: 'MIT' },
    {
      LICENSE: 'MIT License\n\nCopyright (c) Someone\n'
    }
  )
  const metafile = {
    inputs: {
      'src/index.ts': { bytes: 1, imports: [] },
      'node_modules/with-file/index.js': { bytes: 1, imports: [] },
      'node_modules/with-file/lib/more.js': { bytes: 1, imports: [] },
      'node_modules/@s/bare/index.js': { bytes: 1, imports: [] },
      'node_modules/x/node_modules/with-file/index.js': { bytes: 1, imports: [] }
    }
  }

  it('lists each bundled package once, sorted, whatever the number of its files', () => {
    expect(bundledPackageDirs(metafile)).toEqual([
      'node_modules/@s/bare',
      'node_modules/with-file',
      'node_modules/x/node_modules/with-file'
    ])
  })

  it('copies licence files with Unix line ends, lists a nested duplicate once, and says when none is shipped', () => {
    const text = licensesText(metafile, root)
    expect(text.match(/^with-file 1\.0\.0$/gm)).toHaveLength(1)
    expect(text).toContain('with-file 1.0.0\nLicense: MIT\n\nMIT License\n\nCopyright (c) Someone\n')
    expect(text).toContain('@s/bare 2.0.0\nLicense: none declared\n\n(The package ships no licence file')
    expect(text).not.toContain('\r')
  })
})
