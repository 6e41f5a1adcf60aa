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
      if (req.url?.startsWith('/html')) {
        // What MLflow (Flask) answers for a route it does not have, e.g. a wrong path in trackingUri.
        res.writeHead(404, { 'content-type': 'text/html; charset=utf-8' });
        res.end(
          '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n',
        );
        return;
      }
      if (req.url?.startsWith('/text')) {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`bad gateway\n${'upstream said no. '.repeat(40)}`);
        return;
      }
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

  it('an error message is one short line: no HTML page, at most a short excerpt of a text body', async () => {
    const client = new MlflowHttpClient({
      trackingUri: uri,
      auth: undefined,
      requestTimeoutMs: 1000,
    });
    const html = (await client
      .json('POST', '/html/api/3.0/mlflow/traces')
      .catch((e: unknown) => e)) as Error;
    expect(html).toMatchObject({ status: 404 });
    expect(html.message).toBe(
      'MLflow POST /html/api/3.0/mlflow/traces answered 404 (an HTML page, not an MLflow API answer: is there a wrong path in trackingUri?)',
    );
    const text = (await client.json('GET', '/text').catch((e: unknown) => e)) as Error;
    expect(text.message).toMatch(
      /^MLflow GET \/text answered 502: bad gateway upstream said no\. .*\.\.\.$/,
    );
    expect(text.message).not.toContain('\n');
    expect(text.message.length).toBeLessThan(200);
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
