// The README's tables of the action's inputs and outputs, made from action.yml so they cannot drift: other
// work adds inputs and outputs to action.yml, and `npm run docs` brings the README along.
import { parse } from 'yaml'
import { markdownTable, replaceBetweenMarkers } from './markdown.js'

interface ActionYml {
  inputs?: Record<string, { description?: string; default?: string; required?: boolean }>
  outputs?: Record<string, { description?: string }>
}

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim()
}

export function inputsTable(action: ActionYml): string {
  const rows = Object.entries(action.inputs ?? {}).map(([name, input]) => [
    `\`${name}\``,
    input.default === undefined ? (input.required ? 'required' : '') : `\`${input.default}\``,
    oneLine(input.description)
  ])
  return markdownTable(['input', 'default', 'description'], rows)
}

export function outputsTable(action: ActionYml): string {
  const rows = Object.entries(action.outputs ?? {}).map(([name, output]) => [
    `\`${name}\``,
    oneLine(output.description)
  ])
  return markdownTable(['output', 'description'], rows)
}

/** The README with its `inputs` and `outputs` marker sections made from action.yml's text. */
export function withActionTables(readme: string, actionYml: string): string {
  const action = parse(actionYml) as ActionYml
  const withInputs = replaceBetweenMarkers(readme, 'inputs', inputsTable(action), 'README.md')
  return replaceBetweenMarkers(withInputs, 'outputs', outputsTable(action), 'README.md')
}
