import type { ServerHolder } from './global-setup';

/** Stops the server global setup started (a reused MLFLOW_TEST_TRACKING_URI server is left alone). */
export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as ServerHolder;
  const server = holder.__nestjsMlflowTestServer;
  holder.__nestjsMlflowTestServer = undefined;
  if (!server) return;
  await server.stop();
  // So a later run in the same process (watch mode) starts a fresh server instead of "reusing" this one.
  if (process.env.MLFLOW_TEST_TRACKING_URI === server.url)
    delete process.env.MLFLOW_TEST_TRACKING_URI;
}
