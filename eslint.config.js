// Lint: typescript-eslint's recommended rules plus the project's own conventions.
// Layering between packages is checked by tests/architecture.test.ts (run by `npm run lint`).
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'data/**', 'packages/protocol/src/generated/**', '.bench-out/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      'no-restricted-syntax': ['error', { selector: 'TSEnumDeclaration', message: 'Use `as const` objects: enums are not erasable by Node type stripping.' }],
    },
  },
)
