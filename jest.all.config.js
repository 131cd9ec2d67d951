// `npm run test:all` (what .ci/run runs): the fast suite's configuration with the slow suites put back.
// A config file rather than `--testPathIgnorePatterns` on the command line, which would swallow the test
// paths given after it (`npm run test:all -- __tests__/e2e`).
import fast from './jest.config.js'

/** @type {import('jest').Config} */
export default { ...fast, testPathIgnorePatterns: ['/node_modules/'] }
