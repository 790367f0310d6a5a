/** Jest in ESM mode (NestJS 12 is ESM-only); SWC compiles TypeScript with decorator metadata. */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tests'],
  testMatch: ['**/*.spec.ts'],
  // tests/browser/ is Playwright's (npm run test:browser)
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/tests/browser/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^#([a-z-]+)/(.*)\\.js$': '<rootDir>/libs/$1/src/$2', '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  testTimeout: 30000,
  verbose: true,
  globalSetup: '<rootDir>/tests/support/global-setup.ts',
};
