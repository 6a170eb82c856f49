/** Unit tests sit beside the code; integration tests against real servers live in tests/. */
const moduleNameMapper = {
  '^@outband/(data-server|message-server|information-server)$': '<rootDir>/services/$1/src/index.ts',
  '^@outband/(.*)$': '<rootDir>/packages/$1/src/index.ts',
};
const transform = { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }] };
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleNameMapper,
  transform,
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/packages/*/src/**/*.test.ts', '<rootDir>/services/*/src/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/**/*.int.test.ts'],
      globalSetup: '<rootDir>/tests/support/global-setup.ts',
    },
    // Private RabbitMQ, Redis and MariaDB broken on purpose under load (run serially: --runInBand).
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/tests/faults/**/*.fault.test.ts'] },
  ],
};
