import {
  ensureMlflowVenv,
  startMlflowServer,
  type MlflowServer,
} from '../../scripts/mlflow/mlflow-server.cjs';

/** Where global setup leaves the server for global teardown (both run in jest's main process). */
export const SERVER_KEY = '__nestjsMlflowTestServer';
export type ServerHolder = { [SERVER_KEY]?: MlflowServer };

/**
 * Starts one MLflow server for the whole integration run. Test workers inherit
 * MLFLOW_TEST_TRACKING_URI and MLFLOW_TEST_PYTHON from this process's env.
 * If MLFLOW_TEST_TRACKING_URI is already set, that server is used and nothing is started.
 */
export default async function globalSetup(): Promise<void> {
  const log = (message: string) => console.log(`[mlflow] ${message}`);
  const venv = await ensureMlflowVenv({ log });
  process.env.MLFLOW_TEST_PYTHON ||= venv.python;
  if (process.env.MLFLOW_TEST_TRACKING_URI) {
    log(`reusing ${process.env.MLFLOW_TEST_TRACKING_URI} (MLFLOW_TEST_TRACKING_URI is set)`);
    return;
  }
  const server = await startMlflowServer({ log, mlflowBin: venv.mlflowBin });
  process.env.MLFLOW_TEST_TRACKING_URI = server.url;
  (globalThis as ServerHolder)[SERVER_KEY] = server;
}
