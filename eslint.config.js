import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', '.build/', 'bench/work/', 'demo-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error'
    }
  },
  {
    // The engine is a library any host can drive: it must not reach for the Actions toolkit.
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@actions/*'], message: 'The engine has no @actions/* import (ADR 0002).' }] }
      ]
    }
  },
  {
    // Hosts (the action, the local runner and fixtures, the service, the scripts and benchmarks) drive the
    // engine through its public API only, src/engine/index.ts (ADR 0142); the tests may reach inside.
    files: ['src/**/*.ts', 'scripts/**/*.ts', 'scripts/**/*.mjs', 'bench/**/*.ts'],
    ignores: ['src/engine/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)engine/(?!index\\.js$)',
              message: 'Import the engine from its public API, src/engine/index.ts (ADR 0142).'
            }
          ]
        }
      ]
    }
  },
  {
    // Outside text reaches the job log only as LogText, through src/action/log/write.ts (ADR 0070).
    files: ['src/action/**/*.ts', 'src/main.ts'],
    ignores: ['src/action/log/write.ts'],
    rules: {
      'no-restricted-properties': [
        'error',
        ...[
          'info',
          'debug',
          'notice',
          'warning',
          'error',
          'setFailed',
          'group',
          'startGroup',
          'endGroup'
        ].map(property => ({
          object: 'core',
          property,
          message: 'Log through `log` (src/action/log/write.ts) with a `logText` template (ADR 0070).'
        }))
      ],
      'no-console': 'error'
    }
  },
  prettier
)
