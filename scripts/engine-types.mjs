// The engine library's type declarations (ADR 0206): tsc's declarations of src/engine/index.ts and what it
// imports, kept only where the public API's declarations reach them, so dist/engine/types/ holds the API's
// types and none of the engine's insides. The private protocol package's declarations that the API reaches
// (the wire types) are kept beside them, their imports made relative (ADR 0201: it is never published).
// Run by scripts/build.mjs.
import ts from 'typescript'
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join, posix } from 'node:path'

const ENTRY = 'src/engine/index.d.ts'
const PROTOCOL = '@license-backup/protocol/'
/** Given as roots: tsc emits nothing for a file it reached through node_modules. */
const PROTOCOL_SOURCES = [
  'packages/protocol/src/wire.ts',
  'packages/protocol/src/jws/key-choice.ts',
  'packages/protocol/src/jws/signature.ts'
]
/** A module specifier in a declaration file: `from '…'` and `import('…')`. */
const SPECIFIER = /(?:\bfrom\s+|\bimport\()\s*'([^']+)'/g

/** Every declaration file tsc emits for `entry`, by its path relative to the repository (with `/`). */
function emitDeclarations(entry) {
  const config = ts.getParsedCommandLineOfConfigFile('tsconfig.json', undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: diagnostic => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'))
    }
  })
  const options = {
    ...config.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: '.',
    outDir: 'declarations'
  }
  const emitted = new Map()
  const result = ts
    .createProgram([entry, ...PROTOCOL_SOURCES], options)
    .emit(undefined, (name, text) =>
      emitted.set(posix.relative('declarations', name.replaceAll('\\', '/')), text)
    )
  if (result.diagnostics.length > 0)
    throw new Error(ts.formatDiagnostics(result.diagnostics, ts.createCompilerHost(options)))
  return emitted
}

/** The declaration files `ENTRY` reaches through its relative imports; a package import fails the build. */
function reached(emitted) {
  const kept = new Map()
  const queue = [ENTRY]
  while (queue.length > 0) {
    const file = queue.pop()
    if (kept.has(file)) continue
    const text = emitted.get(file)
    if (text === undefined)
      throw new Error(`The engine's declarations import ${file}, which tsc did not emit.`)
    kept.set(file, relativeProtocol(file, text))
    for (const [, specifier] of kept.get(file).matchAll(SPECIFIER)) {
      if (specifier.startsWith('node:')) continue
      if (!specifier.startsWith('.'))
        throw new Error(`${file} imports ${specifier}: the engine's public types must not need a package.`)
      queue.push(posix.join(posix.dirname(file), specifier.replace(/\.js$/, '.d.ts')))
    }
  }
  return kept
}

/** `text` with its imports of the protocol package made relative paths to that package's declarations. */
function relativeProtocol(file, text) {
  return text.replace(SPECIFIER, (whole, specifier) => {
    if (!specifier.startsWith(PROTOCOL)) return whole
    const target = `packages/protocol/src/${specifier.slice(PROTOCOL.length)}.js`
    const relative = posix.relative(posix.dirname(file), target)
    return whole.replace(specifier, relative.startsWith('.') ? relative : `./${relative}`)
  })
}

/** Writes the public API's declarations into `dir` (`types/…` and `index.d.ts` pointing at them). */
export async function writeEngineTypes(dir) {
  const kept = reached(emitDeclarations('src/engine/index.ts'))
  for (const [file, text] of [...kept].sort(([a], [b]) => a.localeCompare(b))) {
    const path = join(dir, 'types', ...file.split('/'))
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, text)
  }
  await writeFile(join(dir, 'index.d.ts'), "export * from './types/src/engine/index.js'\n")
}
