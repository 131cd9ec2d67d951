import {
  cancelled,
  createBackupRestorer,
  isLicenseBackupError,
  LicenseBackupError,
  type BackupRestorer,
  type ErrorCode,
  type EventListener
} from '../engine/index.js'
import { ConfigError } from '../action/steps/config-error.js'
import { loadSteps } from '../action/steps/load.js'
import type { Step } from '../action/steps/types.js'
import { isStepCommand, parseFlags, REGISTRY_LOGIN, stepsDocument, STEP_FLAGS } from './commands.js'
import { inspectPulled } from './inspect-oci.js'
import { EXIT_CODES, EXIT_FAILED, EXIT_OK, EXIT_USAGE } from './exit-codes.js'
import { inspect } from './inspect.js'
import { jsonLine, plain, type Output } from './output.js'
import { errorText, FLAG_WORDS, inWords } from './phrase.js'
import { STEPS_WORDS } from '../action/steps/words.js'
import { runSteps, StepFailed } from './run.js'
import { HELP, UsageError } from './usage.js'

export interface CliDeps {
  env: NodeJS.ProcessEnv
  stdout(text: string): void
  stderr(text: string): void
  signal: AbortSignal
  now(): number
  /** The engine the steps run on (the real one unless a test gives another). */
  createEngine?: (listener: EventListener) => BackupRestorer
}

/** Runs one command line; returns the exit code (docs/errors.md). Never throws. */
export async function main(args: string[], deps: CliDeps): Promise<number> {
  const json = args.includes('--json')
  const out: Output = {
    json,
    words: args[0] === 'run' ? STEPS_WORDS : FLAG_WORDS,
    line: text => deps.stdout(`${text}\n`),
    error: text => deps.stderr(`${text}\n`)
  }
  try {
    await command(args, out, deps)
    return EXIT_OK
  } catch (caught) {
    const error = deps.signal.aborted && !isCode(caught, 'CANCELLED') ? cancelled('run') : caught
    return report(error, out)
  }
}

async function command(args: string[], out: Output, deps: CliDeps): Promise<void> {
  const [name, ...rest] = args
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    out.line(HELP.trimEnd())
    return
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out.line(HELP.trimEnd())
    return
  }
  if (name === 'inspect') {
    const { values, positionals } = parseFlags(name, rest, REGISTRY_LOGIN, 1)
    const path = positionals[0]
    if (path === undefined)
      throw new UsageError('inspect needs the backup folder: license-backup inspect PATH.')
    if (!path.startsWith('oci://')) return inspect(path, out, deps.now())
    const login = {
      ...(typeof values['registry-username'] === 'string' ? { username: values['registry-username'] } : {}),
      ...(typeof values['registry-token-env'] === 'string' ? { tokenEnv: values['registry-token-env'] } : {})
    }
    return inspectPulled(path.slice('oci://'.length), login, { ...deps, out })
  }
  const steps = await stepsOf(name, rest, deps.env)
  await runSteps(steps, {
    createEngine: deps.createEngine ?? createBackupRestorer,
    env: deps.env,
    signal: deps.signal,
    out,
    now: deps.now
  })
}

/** The steps a command runs: the steps file's (`run`), or the one step its flags describe. */
async function stepsOf(name: string, rest: string[], env: NodeJS.ProcessEnv) {
  if (name === 'run') {
    const { values } = parseFlags(name, rest, { config: { type: 'string' }, only: { type: 'string' } })
    const only = values['only']
    if (typeof only === 'string' && !KINDS.includes(only as Step['kind'])) {
      throw new UsageError(`--only ${only} is not a step kind: use one of ${KINDS.join(', ')}.`)
    }
    const config = await loadSteps({
      config: typeof values['config'] === 'string' ? values['config'] : 'license-backup.yml',
      inline: '',
      env
    })
    if (typeof only !== 'string') return config
    return { ...config, steps: config.steps.filter(step => step.kind === only) }
  }
  if (!isStepCommand(name)) {
    throw new UsageError(
      `${name} is not a command: use run, ${Object.keys(STEP_FLAGS).join(', ')} or inspect.`
    )
  }
  const { values } = parseFlags(name, rest, STEP_FLAGS[name])
  const document = JSON.stringify(stepsDocument(name, values))
  return loadSteps({ config: '', inline: document, inlineName: `the ${name} command's flags`, env }).catch(
    (error: unknown) => {
      throw error instanceof ConfigError ? inFlagTerms(error, name) : error
    }
  )
}

/**
 * A steps-file error about the document the flags made, in the flags' words: no line and column (the
 * document is the command line's), and `steps.backup.compression` named as `--compression`.
 */
function inFlagTerms(error: ConfigError, name: string): LicenseBackupError {
  const place = error.location ? `${error.location.source}: ` : ''
  const message = `${place}${inWords(error.reason, FLAG_WORDS)}`
    .replace(new RegExp(`\`steps\\.${name}\\.([\\w-]+)[^\`]*\``, 'gu'), '`--$1`')
    .replace(new RegExp(`\`steps\\.${name}\` needs \`path\`[^.]*`, 'u'), `${name} needs \`--path\``)
    .replace(
      'add `service: { url: …, token-env: … }` at the top of the file',
      'add `--service URL --token-env VAR`'
    )
  return new LicenseBackupError('CONFIG_INVALID', message)
}

const KINDS: Step['kind'][] = ['backup', 'restore', 'verify', 'release', 'renew']

function isCode(error: unknown, code: ErrorCode): boolean {
  return isLicenseBackupError(error) && error.code === code
}

/** Prints the failure once, on stderr (and as a `FAILED` line with `--json`), and gives its exit code. */
function report(error: unknown, out: Output): number {
  if (error instanceof UsageError) {
    out.error(plain(`license-backup: ${error.message} See license-backup --help.`))
    return EXIT_USAGE
  }
  const { code, message, exit } = failure(error, out)
  if (out.json) out.line(jsonLine({ type: 'FAILED', ...(code ? { code } : {}), message, exitCode: exit }))
  out.error(plain(`license-backup: ${message}${code ? ` [${code}]` : ''}`))
  return exit
}

function failure(error: unknown, out: Output): { code?: ErrorCode; message: string; exit: number } {
  if (isLicenseBackupError(error))
    return { code: error.code, message: errorText(error, out.words), exit: EXIT_CODES[error.code] }
  if (error instanceof StepFailed) return { message: error.message, exit: EXIT_FAILED }
  // Anything else is a bug (ADR 0069): its stack helps whoever reports it, and holds no secret.
  const stack = error instanceof Error && error.stack ? error.stack : String(error)
  return { code: 'INTERNAL_ERROR', message: `unexpected error: ${stack}`, exit: EXIT_CODES.INTERNAL_ERROR }
}
