// `npm run test:scale`: many concurrent traces into MLflow backed by PostgreSQL (Debian's
// package, installed and started by scripts/postgres/postgres-server.cjs) with several server
// workers. The spec starts its own PostgreSQL and MLflow server, so no global setup.
const integration = require('./jest.config.js').projects.find(
  (p) => p.displayName === 'integration',
);

module.exports = {
  ...integration,
  displayName: 'scale',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.scale-spec.ts'],
  globalSetup: undefined,
  globalTeardown: undefined,
};
