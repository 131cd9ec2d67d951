import * as core from '@actions/core'
import { lineOf, neutralise } from './text.js'
import type { LogText } from './text.js'

/** Where an annotation goes, and its title. */
export interface AnnotationProperties {
  title?: LogText
  file?: string
  startLine?: number
  startColumn?: number
}

function properties(props: AnnotationProperties): core.AnnotationProperties {
  return {
    ...(props.title === undefined ? {} : { title: lineOf(props.title) }),
    ...(props.file === undefined ? {} : { file: neutralise(props.file) }),
    ...(props.startLine === undefined ? {} : { startLine: props.startLine }),
    ...(props.startColumn === undefined ? {} : { startColumn: props.startColumn })
  }
}

/**
 * The action's only writer to the job log (ADR 0070; lint forbids `core.info` and its kin elsewhere): it
 * takes `LogText`, which only the `logText` template makes, so outside text cannot reach the log unneutralised.
 */
export const log = {
  info: (text: LogText): void => core.info(lineOf(text)),
  debug: (text: LogText): void => core.debug(lineOf(text)),
  notice: (text: LogText, props: AnnotationProperties = {}): void =>
    core.notice(lineOf(text), properties(props)),
  warning: (text: LogText, props: AnnotationProperties = {}): void =>
    core.warning(lineOf(text), properties(props)),
  error: (text: LogText, props: AnnotationProperties = {}): void =>
    core.error(lineOf(text), properties(props)),
  /** The run's one failure: an error annotation and exit code 1. */
  fail: (text: LogText): void => core.setFailed(lineOf(text)),
  group: <T>(title: LogText, body: () => Promise<T>): Promise<T> => core.group(lineOf(title), body)
}
