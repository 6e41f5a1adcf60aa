/** `npm run demo -- --help`. */
export declare const USAGE: string;

/** A bad option; its message says what is wrong. */
export declare class DemoArgsError extends Error {}

export interface DemoArgs {
  help: boolean;
  /** Exit after checking (also CI=true). */
  once: boolean;
  /** Where the MLflow server listens (127.0.0.1; brackets of an IPv6 literal removed). */
  host: string;
  /** undefined: a random free port. */
  port: number | undefined;
}

/** `--port N`, `--host H`, `--once`, `--help`, then DEMO_MLFLOW_PORT / DEMO_MLFLOW_HOST; throws DemoArgsError. */
export declare function parseDemoArgs(
  argv: readonly string[],
  env?: Record<string, string | undefined>,
): DemoArgs;

/** 127.0.0.0/8, ::1 or ::ffff:127.x.y.z. */
export declare function isLoopbackAddress(address: string): boolean;

/** `['--allowed-hosts', '...']` when MLflow's default host check would refuse `urlHost`, else `[]`. */
export declare function allowedHostsArgs(urlHost: string): string[];
