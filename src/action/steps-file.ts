import { readFile } from 'node:fs/promises'
import { parse } from 'yaml'
import type { ActionInputs } from './inputs.js'

export interface StepsFile {
  source: string
  steps: unknown[]
}

export async function loadStepsFile(inputs: ActionInputs): Promise<StepsFile> {
  if (inputs.steps.trim() !== '') return toStepsFile(parse(inputs.steps), 'the `steps` input')
  let text: string
  try {
    text = await readFile(inputs.config, 'utf8')
  } catch {
    throw new Error(
      `Steps file ${inputs.config} not found: create it or set the \`config\` input to its path (or give the steps inline with \`steps\`).`
    )
  }
  return toStepsFile(parse(text), inputs.config)
}

function toStepsFile(doc: unknown, source: string): StepsFile {
  const steps = (doc as { steps?: unknown } | null)?.steps
  if (!Array.isArray(steps)) throw new Error(`${source}: \`steps\` must be a list of backup and restore steps.`)
  return { source, steps }
}
