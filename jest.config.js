// NestJS 12 ships ESM only. Jest's CommonJS loader cannot require() ESM, so swc turns the
// ESM packages in node_modules into CommonJS as it does our TypeScript.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
const shared = {
  testEnvironment: 'node',
  // `.cjs` too: Mastra's CommonJS build loads its ESM-only dependencies with `import()`; Google
  // ADK's requires lodash-es; @llamaindex/workflow's requires @llamaindex/workflow-core's ESM;
  // Strands Agents (`@strands-agents/sdk`) and its `uuid` are ESM only.
  transform: { '^.+\\.(t|j|mj|cj)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|@mistralai|@fastify/static|content-disposition|file-type|strtok3|token-types|peek-readable|uint8array-extras|@tokenizer|load-esm|uid|ai|@ai-sdk|eventsource-parser|@vercel|zod|@workflow|@standard-schema|@mastra|p-retry|p-map|is-network-error|lodash-es|@llamaindex|@strands-agents|uuid)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};
module.exports = {
  reporters: ['default', '<rootDir>/test/setup/skipped-tests-reporter.cjs'],
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: ['<rootDir>/test/**/*.spec.ts'],
      setupFilesAfterEnv: [
        '<rootDir>/test/setup/unit-timeout.ts',
        '<rootDir>/test/setup/fail-on-unhandled-rejection.ts',
      ],
    },
    {
      ...shared,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/**/*.int-spec.ts'],
      setupFilesAfterEnv: [
        '<rootDir>/test/mlflow-server/integration-timeout.ts',
        '<rootDir>/test/setup/fail-on-unhandled-rejection.ts',
      ],
      globalSetup: '<rootDir>/test/mlflow-server/global-setup.ts',
      globalTeardown: '<rootDir>/test/mlflow-server/global-teardown.ts',
    },
  ],
};
