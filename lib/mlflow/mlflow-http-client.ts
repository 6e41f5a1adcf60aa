import { MlflowHttpError } from './mlflow-http.error';

export type MlflowAuth = { token: string } | { username: string; password: string };

export interface MlflowConnection {
  /** `http(s)://host:port[/prefix]`, no trailing slash. */
  readonly trackingUri: string;
  readonly auth: MlflowAuth | undefined;
  readonly requestTimeoutMs: number;
}

/** The HTTP calls MLflow needs, with auth and a timeout on each; non-2xx answers throw. */
export class MlflowHttpClient {
  private readonly authorization: string | undefined;
  private readonly closing = new AbortController();

  constructor(private readonly connection: MlflowConnection) {
    this.authorization = authorizationHeader(connection.auth);
  }

  get trackingUri(): string {
    return this.connection.trackingUri;
  }

  /** The basic-auth user name, when the server is reached with one. */
  get username(): string | undefined {
    const auth = this.connection.auth;
    return auth !== undefined && 'username' in auth ? auth.username : undefined;
  }

  /**
   * Aborts every request under way and refuses new ones (the export stage's shutdown deadline):
   * a hung server must not keep the process alive, whoever made the request.
   */
  close(): void {
    this.closing.abort(new Error('the MLflow client was closed at shutdown'));
  }

  async json<T>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const response = await this.send(
      method,
      path,
      body === undefined ? undefined : JSON.stringify(body),
      { 'content-type': 'application/json' },
      signal,
    );
    const text = await response.text();
    return (text ? JSON.parse(text) : {}) as T;
  }

  /** `signal` (the export stage's shutdown deadline) aborts the request along with the timeout. */
  async send(
    method: string,
    path: string,
    body: string | Buffer | undefined,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<Response> {
    const all: Record<string, string> = { ...headers, 'user-agent': 'nestjs-mlflow-tracing' };
    if (this.authorization !== undefined) all.authorization = this.authorization;
    const signals = [this.closing.signal, AbortSignal.timeout(this.connection.requestTimeoutMs)];
    if (signal) signals.push(signal);
    const response = await fetch(this.connection.trackingUri + path, {
      method,
      headers: all,
      body,
      signal: AbortSignal.any(signals),
    });
    if (!response.ok) throw await MlflowHttpError.from(method, path, response);
    return response;
  }
}

function authorizationHeader(auth: MlflowAuth | undefined): string | undefined {
  if (auth === undefined) return undefined;
  if ('token' in auth) return `Bearer ${auth.token}`;
  return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
}
