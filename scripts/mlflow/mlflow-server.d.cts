export declare const MLFLOW_VERSION: string;

export type Log = (message: string) => void;

export interface MlflowVenv {
  /** `<venv>/bin/python` */
  python: string;
  /** `<venv>/bin/mlflow` */
  mlflowBin: string;
}

export interface MlflowServer {
  /** e.g. `http://127.0.0.1:41234` (no trailing slash) */
  url: string;
  pid: number;
  /** holds mlflow.db, mlartifacts/ and server.log; removed by stop() */
  tmpDir: string;
  /** `keepData` leaves tmpDir (the SQLite store) for a restart with `dataDir`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/** Creates `<repo>/.venv-mlflow` (or `$MLFLOW_VENV_DIR`) with mlflow==MLFLOW_VERSION when missing or different. */
export declare function ensureMlflowVenv(options?: { log?: Log }): Promise<MlflowVenv>;

/** Starts `mlflow server` on a free loopback port with a throwaway SQLite store. */
export declare function startMlflowServer(options?: {
  log?: Log;
  mlflowBin?: string;
  /** Passed to `mlflow server` as they are. */
  extraArgs?: string[];
  /** Added to the server's environment. */
  env?: Record<string, string>;
  /** Listen here instead of a free port (restart on the same port). */
  port?: number;
  /** Use this store directory (a stopped server's tmpDir) instead of a new one. */
  dataDir?: string;
  /** Instead of the SQLite file in tmpDir, e.g. `postgresql://postgres@127.0.0.1:5433/mlflow`. */
  backendStoreUri?: string;
}): Promise<MlflowServer>;

/** A free TCP port on 127.0.0.1. */
export declare function freePort(): Promise<number>;
