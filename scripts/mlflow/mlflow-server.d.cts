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
  stop(): Promise<void>;
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
}): Promise<MlflowServer>;
