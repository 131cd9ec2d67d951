// Child process for the cancellation test: runs the action with a fake engine that waits for its
// AbortSignal, and says READY once the operation has started, so the parent can send a real SIGTERM.
import { run } from '../../src/main.js'
import { fakeEngine } from './fake-engine.js'

const engine = fakeEngine({ hang: true })
void engine.started.then(() => process.stderr.write('READY\n'))
await run({ createEngine: engine.create })
