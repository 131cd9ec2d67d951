// The start-up graph of a bundle (dist/): which of its files load before any code runs. The bench checks
// @actions/artifact stays out of it; __tests__/project-release/dist-contents.test.ts what it imports.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

/** The files `entry` loads at start: itself and what its static imports reach, transitively. */
export async function staticClosure(dir: string, entry: string): Promise<Set<string>> {
  const seen = new Set<string>()
  const visit = async (name: string): Promise<void> => {
    if (seen.has(name)) return
    seen.add(name)
    const source = await readFile(join(dir, name), 'utf8')
    const base = name.includes('/') ? name.slice(0, name.lastIndexOf('/') + 1) : ''
    for (const match of source.matchAll(
      /(?:^|[;\n])\s*(?:import|export)\s[^;]*?from\s*"(\.[^"]+)"|(?:^|[;\n])\s*import\s*"(\.[^"]+)"/g
    )) {
      const spec = (match[1] ?? match[2])!
      const target = join(base, spec).replace(/^\.\//, '')
      await visit(target)
    }
  }
  await visit(entry)
  return seen
}
