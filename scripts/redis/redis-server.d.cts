export interface RedisServer {
  host: string;
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** Kills the server and removes its directory. */
  stop(): Promise<void>;
}

/** Path of `redis-server`, installing Debian's package with apt-get when it is missing. */
export function ensureRedisServer(options?: { log?: (message: string) => void }): string;

/** Starts redis-server on a free loopback port, without persistence. */
export function startRedisServer(options?: {
  log?: (message: string) => void;
  timeoutMs?: number;
}): Promise<RedisServer>;
