import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: ['.next/**', '.data/**', 'node_modules/**', '.flowbite-react/**', 'next-env.d.ts', 'coverage/**', 'test-results/**', 'playwright-report/**'] },
  {
    files: ['tests/**'],
    // Test helpers named use* (useHub) set up suites; they are not React hooks.
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off', 'react-hooks/rules-of-hooks': 'off' },
  },
  { files: ['**/*.cjs', '*.js'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
];

export default config;
