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

/**
 * Creates `<repo>/.venv-mlflow` (or `$MLFLOW_VENV_DIR`) with mlflow==MLFLOW_VERSION when missing or
 * different, saying when each step starts and that it is still going every `heartbeatMs`.
 */
export declare function ensureMlflowVenv(options?: {
  log?: Log;
  /** How often to say a step is still running (10 000 ms; 0 for never). */
  heartbeatMs?: number;
}): Promise<MlflowVenv>;

/** Starts `mlflow server` on a free loopback port with a throwaway SQLite store. */
export declare function startMlflowServer(options?: {
  log?: Log;
  mlflowBin?: string;
  /** Passed to `mlflow server` as they are. */
  extraArgs?: string[];
  /** Added to the server's environment. */
  env?: Record<string, string>;
  /** The address `mlflow server` listens on (127.0.0.1); `url` stays reachable from this machine. */
  host?: string;
  /** Listen here instead of a free port (restart on the same port). */
  port?: number;
  /** Use this store directory (a stopped server's tmpDir) instead of a new one. */
  dataDir?: string;
  /** Instead of the SQLite file in tmpDir, e.g. `postgresql://postgres@127.0.0.1:5433/mlflow`. */
  backendStoreUri?: string;
  /** How often to say it is still waiting for /health (10 000 ms; 0 for never). */
  heartbeatMs?: number;
}): Promise<MlflowServer>;

/** A free TCP port on `host` (127.0.0.1). */
export declare function freePort(host?: string): Promise<number>;

/** The host part of a URL reaching a server that listens on `host` (0.0.0.0 -> 127.0.0.1, :: -> [::1]). */
export declare function urlHost(host: string): string;
