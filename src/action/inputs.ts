import * as core from '@actions/core'

export interface ActionInputs {
  config: string
  steps: string
  only: string
  onRestricted: string
  githubToken: string
}

export function readActionInputs(): ActionInputs {
  return {
    config: core.getInput('config') || '.github/license-backup.yml',
    steps: core.getInput('steps'),
    only: core.getInput('only'),
    onRestricted: core.getInput('on-restricted'),
    githubToken: core.getInput('github-token')
  }
}
