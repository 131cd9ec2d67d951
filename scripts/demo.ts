// The local demo (the README's main command). For now it makes a sample store and runs the action's run()
// on a steps file, with the environment a runner gives an action; the engines land in later issues.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createIssuer } from '../src/fixtures/issuer.js'
import { generateStore } from '../src/fixtures/store.js'
import { run } from '../src/main.js'

const work = await mkdtemp(join(tmpdir(), 'license-backup-demo-'))
const store = await generateStore(join(work, 'store'), createIssuer(), {
  count: 40,
  catalogFile: join(work, 'catalog.csv')
})
const config = join(work, 'license-backup.yml')
await writeFile(
  config,
  `version: 1\nstore: ${store.dir}\ncatalog: ${join(work, 'catalog.csv')}\nsteps:\n  - backup:\n      path: ${join(work, 'backup')}\n`
)
await mkdir(join(work, 'runner'), { recursive: true })
process.env['INPUT_CONFIG'] = config
process.env['GITHUB_OUTPUT'] = join(work, 'runner', 'output.txt')
process.env['GITHUB_STEP_SUMMARY'] = join(work, 'runner', 'summary.md')
await writeFile(process.env['GITHUB_OUTPUT'], '')
await writeFile(process.env['GITHUB_STEP_SUMMARY'], '')
await run()
console.log(`\nSample store: ${store.dir} (${store.licenses.length} licenses)`)
console.log(`Steps file:   ${config}`)
console.log(`Outputs:      ${process.env['GITHUB_OUTPUT']}`)
console.log((await readFile(config, 'utf8')).trim())
console.log(
  '\nNot built yet: backup (issue 3), restore and the license service (issue 4), the full demo (issue 5).'
)
