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
