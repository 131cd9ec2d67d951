// Makes a sample store, its catalog and the issuer's JWKS in a folder: for the demo, CI and trying things out.
// usage: node scripts/run-ts.mjs scripts/sample-store.ts <folder> [count]
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { createIssuer, saveIssuer } from '../src/fixtures/issuer.js'
import { generateStore } from '../src/fixtures/store.js'

const folder = process.argv[2] ?? 'sample'
const count = Number(process.argv[3] ?? 40)
await mkdir(folder, { recursive: true })
const issuer = createIssuer()
await saveIssuer(issuer, join(folder, 'issuer.private.json'))
await writeFile(join(folder, 'issuer.jwks.json'), JSON.stringify(issuer.jwks(), null, 2))
const store = await generateStore(join(folder, 'store'), issuer, {
  count,
  catalogFile: join(folder, 'catalog.csv')
})
const restricted = store.licenses.filter(l => l.restricted).length
console.log(
  `${folder}/store: ${count} licenses (${restricted} restricted), catalog ${folder}/catalog.csv, issuer JWKS ${folder}/issuer.jwks.json`
)
