// Jest runs the TypeScript sources as ESM on the Node the npm scripts put first on PATH (Node 24 from
// the `node` devDependency). ts-jest only transpiles; `npm run typecheck` does the type checking.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }]
  },
  testMatch: ['**/__tests__/**/*.test.ts'],
  roots: ['<rootDir>/__tests__'],
  collectCoverage: true,
  collectCoverageFrom: ['src/**/*.ts'],
  coverageDirectory: 'coverage',
  coverageReporters: ['text-summary', 'lcov', 'json-summary'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/support/secret-scan.ts'],
  testTimeout: 60000,
  verbose: false
}
