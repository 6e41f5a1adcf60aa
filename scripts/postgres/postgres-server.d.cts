export type Log = (message: string) => void;

export interface PostgresServer {
  /** e.g. `postgresql+psycopg2://postgres@127.0.0.1:41234/mlflow` */
  uri: string;
  port: number;
  dataDir: string;
  /** Stops the server and removes its data directory. */
  stop(): Promise<void>;
}

/** Installs Debian's postgresql with apt-get when missing; returns the bin directory of pg_ctl. */
export declare function ensurePostgres(options?: { log?: Log }): string;

/** pip-installs psycopg2-binary into the venv of `python` unless it imports already. */
export declare function ensurePsycopg2(python: string, options?: { log?: Log }): void;

/** Starts PostgreSQL on a free loopback port with a throwaway data directory and one database. */
export declare function startPostgres(options?: {
  log?: Log;
  database?: string;
}): Promise<PostgresServer>;
