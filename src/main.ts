import * as core from '@actions/core'
import { readActionInputs } from './action/inputs.js'
import { loadStepsFile } from './action/steps-file.js'

/**
 * Runs the action. Kept free of side effects at import time so tests and `@github/local-action` can call it.
 * The only `core.setFailed` of the action is here: everything below throws.
 */
export async function run(): Promise<void> {
  try {
    const inputs = readActionInputs()
    const steps = await loadStepsFile(inputs)
    core.info(`Loaded ${steps.steps.length} step(s) from ${steps.source}.`)
    core.warning('The backup and restore engines are not built yet: the steps were read and checked only.')
  } catch (error) {
    core.setFailed(error instanceof Error ? error.message : String(error))
  }
}
