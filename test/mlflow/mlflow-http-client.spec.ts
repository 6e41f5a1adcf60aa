import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlflowHttpClient } from '../../lib/mlflow/mlflow-http-client';
import { MlflowHttpError } from '../../lib/mlflow/mlflow-http.error';

/** A loopback listener that records the headers it gets and answers as MLflow does on errors. */
describe('MlflowHttpClient', () => {
  let server: Server;
  let uri: string;
  let seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers);
      if (req.url?.startsWith('/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such thing' }),
        );
        return;
      }
      if (req.url?.startsWith('/slow')) return; // never answers
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  beforeEach(() => (seen = []));

  it('sends a bearer token as MLflow SDKs do', async () => {
    const client = new MlflowHttpClient({
      trackingUri: uri,
      auth: { token: 't0k' },
      requestTimeoutMs: 1000,
    });
    await expect(client.json('GET', '/ok')).resolves.toEqual({ ok: true });
    expect(seen[0].authorization).toBe('Bearer t0k');
  });

  it('sends basic credentials', async () => {
    const client = new MlflowHttpClient({
      trackingUri: uri,
      auth: { username: 'u', password: 'p:w' },
      requestTimeoutMs: 1000,
    });
    await client.json('POST', '/ok', { a: 1 });
    expect(seen[0].authorization).toBe(`Basic ${Buffer.from('u:p:w').toString('base64')}`);
    expect(seen[0]['content-type']).toBe('application/json');
  });

  it('sends no authorization header without auth', async () => {
    await new MlflowHttpClient({ trackingUri: uri, auth: undefined, requestTimeoutMs: 1000 }).json(
      'GET',
      '/ok',
    );
    expect(seen[0].authorization).toBeUndefined();
  });

  it("turns MLflow's error answers into MlflowHttpError with the error code", async () => {
    const client = new MlflowHttpClient({
      trackingUri: uri,
      auth: undefined,
      requestTimeoutMs: 1000,
    });
    const error = await client.json('GET', '/missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowHttpError);
    expect(error).toMatchObject({ status: 404, errorCode: 'RESOURCE_DOES_NOT_EXIST' });
    expect((error as Error).message).toContain('no such thing');
  });

  it('gives up after requestTimeoutMs', async () => {
    const client = new MlflowHttpClient({
      trackingUri: uri,
      auth: undefined,
      requestTimeoutMs: 100,
    });
    await expect(client.json('GET', '/slow')).rejects.toThrow(/timeout|aborted/i);
  });
});
