// Jest runs the TypeScript sources as ESM on the Node the npm scripts put first on PATH (Node 24 from
// the `node` devDependency). ts-jest only transpiles; `npm run typecheck` does the type checking.
//
// `npm test` is the fast suite; `npm run test:all` (which .ci/run runs) adds the suites below, the crash,
// chaos, property, memory-shape and end-to-end ones (the 10,000-license backup checked with tar and sha256sum among
// them), the license service's concurrency and kill -9 ones, and the packing tests (the action's package and
// the server's, packed, installed and run), through jest.all.config.js, with coverage.
// The fast suite runs without coverage (instrumenting every source costs a third of its time) and with a
// worker per core: most suites wait on child processes, servers and disks, not on the CPU.
const SLOW_SUITES = [
  '/__tests__/(reliability|format)/(crash|chaos|properties|flat-memory)\\.test\\.ts$',
  '/packages/license-server/__tests__/(concurrency|crash-durability|pack)\\.test\\.ts$',
  '\\.property\\.test\\.ts$',
  '/__tests__/e2e/',
  '/__tests__/engine/backup-large\\.test\\.ts$',
  '/__tests__/release/release-kills\\.test\\.ts$',
  '/__tests__/packages/',
  // Under a minute on two cores on a fresh machine (issue 25, ADR 0210): the suites that start the built
  // programs (the command line, the server's command) or a 100 MiB transfer, and the fault-injection
  // timelines of the restore and the store, run in test:all (and .ci/run) only.
  '/__tests__/cli/(cli|readme)\\.test\\.ts$',
  '/packages/license-server/__tests__/cli\\.test\\.ts$',
  '/__tests__/registry/ghcr\\.test\\.ts$',
  '/__tests__/engine/backup-read-threads\\.test\\.ts$',
  '/__tests__/restore/service-faults\\.test\\.ts$',
  '/__tests__/reliability/(faults|crash-artifact|state-files|backup-path)\\.test\\.ts$'
]

/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', ...SLOW_SUITES],
  // The action's and engine's tests, and each workspace package's own (packages/*/__tests__, ADR 0201).
  roots: ['<rootDir>/__tests__', '<rootDir>/packages'],
  collectCoverage: false,
  maxWorkers: '100%',
  collectCoverageFrom: ['src/**/*.ts', 'packages/*/src/**/*.ts'],
  coverageDirectory: 'coverage',
  coverageReporters: ['text-summary', 'lcov', 'json-summary'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/secret-scan.ts'],
  // A test file whose tool is missing says so in one line; these keep it to one line a run (ADR 0190).
  globalSetup: '<rootDir>/__tests__/support/skip-notes-setup.mjs',
  globalTeardown: '<rootDir>/__tests__/support/skip-notes-teardown.mjs',
  testTimeout: 60000,
  verbose: false
}
