// `npm run test:all` (what .ci/run runs): the fast suite's configuration with the slow suites put back,
// and coverage. A config file rather than `--testPathIgnorePatterns` on the command line, which would
// swallow the test paths given after it (`npm run test:all -- __tests__/e2e`). Jest's default worker count
// (one less than the cores) keeps the timing-bound crash and chaos suites off a saturated machine.
import fast from './jest.config.js'

const { maxWorkers: _fastWorkers, ...shared } = fast

/** @type {import('jest').Config} */
export default { ...shared, testPathIgnorePatterns: ['/node_modules/'], collectCoverage: true }
