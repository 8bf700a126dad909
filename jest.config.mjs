import nextJest from 'next/jest.js';

const createJestConfig = nextJest({ dir: './' });

/** @type {import('jest').Config} */
const config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts', '**/*.test.tsx'],
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/setup.ts'],
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/$1' },
  testTimeout: 30_000,
  // Two workers on CI's two cores: most suites wait on sockets, timers and the database, not the CPU.
  maxWorkers: 2,
  // Jest 30 "soft"-deletes a test file's globals at teardown by wrapping each in an accessor whose
  // setter calls Reflect.set on itself: anything that writes such a global late (a restore in a
  // finally, a timer) then dies of "Maximum call stack size exceeded" and fails the whole suite.
  // Off is Jest 29's behaviour; every test file runs in its own environment anyway.
  testEnvironmentOptions: { globalsCleanup: 'off' },
};

const base = createJestConfig(config);

// next/jest only transpiles what it is told to; these packages ship ESM only.
const esmOnly = ['jose', 'uuid', 'marked', 'debounce', '@clerk', 'flowbite-react', 'p-limit', 'yocto-queue', 'css-select', 'css-what', 'nth-check', 'domutils', 'dom-serializer', 'domhandler', 'domelementtype', 'entities', 'htmlparser2', 'boolbase', 'cssomnom'];

const jestConfig = async () => {
  const resolved = await base();
  return {
    ...resolved,
    transformIgnorePatterns: [`/node_modules/(?!(\\.pnpm/)?(${esmOnly.map((p) => p.replace('/', '\\+')).join('|')}))`, '^.+\\.module\\.(css|sass|scss)$'],
  };
};

export default jestConfig;
