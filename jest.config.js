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
    // The flow tests again on the embedded default: one suite, run against both (issue: first run).
    // Tests that reach around the services into RabbitMQ, Redis or MySQL themselves stay in `integration`.
    {
      ...common,
      displayName: 'embedded',
      testMatch: [
        'verifications/login-flow',
        'payments/payments',
        'payments/ocra-signing',
        'verifications/transaction-signing',
        'verifications/resend',
        'verifications/sessions',
        'verifications/reverse-channel',
        'verifications/registered-messages',
        'messaging/webhooks',
        'merchant-api/idempotency',
        'verifications/no-enumeration',
        'verifications/enrolment',
        'verifications/totp-factor',
        'verifications/silent-verification',
        'merchant-api/twilio-compat',
        'merchant-api/twilio-hardening',
        'merchant-api/twilio-factors',
        'messaging/message-outbox',
        'messaging/restarts-and-receipts',
      ]
        .map((name) => `<rootDir>/tests/${name}.int.test.ts`)
        // Packages as a merchant or an operator installs them, run against the embedded default only.
        .concat('<rootDir>/tests/distribution/*.pack.test.ts'),
      // No globalSetup: this group needs no server at all.
      setupFiles: ['<rootDir>/tests/support/embedded-env.ts'],
    },
    // Private RabbitMQ, Redis and MariaDB broken on purpose under load (run serially: --runInBand).
    { ...common, displayName: 'faults', testMatch: ['<rootDir>/tests/faults/**/*.fault.test.ts'] },
  ],
};
