// Tests that need an outside tool (the age CLI, the CNCF registry, PostgreSQL): run where it is on PATH,
// else skipped with one printed line naming the tool and how to install it; under
// LICENSE_BACKUP_REQUIRE_TOOLS=1 (what .ci/run sets) a missing tool fails instead (src/fixtures/tools.ts).
import { describe, it } from '@jest/globals'
import { toolsPresent, type Tool } from '../../src/fixtures/tools.js'

type Test = Parameters<typeof it>[1]

/** `it` when the tools are here, else `it.skip` with the tools named in the test's name. */
export function itWithTools(what: string, tools: Tool[]) {
  const present = toolsPresent(what, tools)
  return (name: string, fn: Test, timeout?: number): void => {
    if (present) it(name, fn, timeout)
    else it.skip(`${name} (skipped: needs ${tools.join(', ')})`, fn, timeout)
  }
}

/** `describe` when the tools are here, else `describe.skip`; its hooks then do not run either. */
export function describeWithTools(what: string, tools: Tool[]): typeof describe | typeof describe.skip {
  return toolsPresent(what, tools) ? describe : describe.skip
}
