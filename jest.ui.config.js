// `npm run test:ui`: the MLflow UI in headless Chromium (Debian's package, installed by
// scripts/ci/install-chromium.sh), against the same MLflow server setup as the integration tests.
const integration = require('./jest.config.js').projects.find((p) => p.displayName === 'integration');

module.exports = {
  ...integration,
  displayName: 'ui',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.ui-spec.ts'],
};
