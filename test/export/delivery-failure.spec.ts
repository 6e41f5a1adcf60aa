import net from 'node:net';
import { classifyFailure, describeNetworkError, parseRetryAfter } from '../../lib/export';
import { MlflowHttpError } from '../../lib/mlflow/mlflow-http.error';
import { OtlpHttpError } from '../../lib/otlp';

async function listen(onSocket: (socket: net.Socket) => void): Promise<net.Server> {
  const server = net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}
const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
const failureOf = (url: string, timeoutMs = 5000) =>
  fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );

describe('network failures are logged with their cause', () => {
  it('names a refused connection, a reset, a timeout and a port fetch refuses', async () => {
    const closed = await listen(() => undefined);
    const freePort = portOf(closed);
    await new Promise((resolve) => closed.close(resolve));
    const refused = classifyFailure(await failureOf(`http://127.0.0.1:${freePort}/`));
    expect(refused).toEqual({
      kind: 'unavailable',
      cause: expect.stringMatching(/^fetch failed: connect ECONNREFUSED 127\.0\.0\.1:\d+$/),
    });

    const resetting = await listen((socket) => socket.destroy());
    const reset = describeNetworkError(await failureOf(`http://127.0.0.1:${portOf(resetting)}/`));
    expect(reset).toMatch(/^fetch failed: (other side closed|.*ECONNRESET)/);
    resetting.close();

    const hanging = await listen(() => undefined);
    const timeout = classifyFailure(await failureOf(`http://127.0.0.1:${portOf(hanging)}/`, 100));
    expect(timeout).toEqual({
      kind: 'unavailable',
      cause: 'no answer within export.requestTimeoutMs (ETIMEDOUT)',
    });
    hanging.close();

    const blocked = describeNetworkError(await failureOf('http://127.0.0.1:6000/'));
    expect(blocked).toContain("Node's fetch refuses this port");
  });

  it('reads ENOTFOUND from the cause of a failed lookup', () => {
    const error = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND mlflow.internal'), {
        code: 'ENOTFOUND',
      }),
    });
    expect(describeNetworkError(error)).toBe('fetch failed: getaddrinfo ENOTFOUND mlflow.internal');
  });

  it('retries 408, 429 and 5xx with Retry-After; refuses other answers', () => {
    const answer = (status: number, retryAfterMs?: number) =>
      Object.assign(new Error(`answered ${status}`), { status, retryAfterMs });
    expect(classifyFailure(answer(503, 2000))).toMatchObject({
      kind: 'retryable',
      retryAfterMs: 2000,
    });
    expect(classifyFailure(answer(408)).kind).toBe('retryable');
    expect(classifyFailure(answer(429)).kind).toBe('retryable');
    expect(classifyFailure(answer(400)).kind).toBe('rejected');
    expect(classifyFailure(answer(401)).kind).toBe('rejected');
    const aborted = new AbortController();
    aborted.abort();
    expect(classifyFailure(answer(503), aborted.signal).kind).toBe('aborted');
    expect(parseRetryAfter('3')).toBe(3000);
    expect(
      parseRetryAfter('Wed, 02 Dec 2026 10:00:05 GMT', Date.parse('2026-12-02T10:00:00Z')),
    ).toBe(5000);
    expect(parseRetryAfter(null)).toBeUndefined();
  });
});

describe('what an error message shows of a server answer', () => {
  const page = `<!doctype html><html><body>${'<p>Not Found</p>'.repeat(200)}</body></html>`;
  const answer = (status: number, body: string, type = 'text/html') =>
    new Response(body, { status, headers: { 'content-type': type } });

  it('never an HTML page, from MLflow or from an OTLP collector', async () => {
    const mlflow = await MlflowHttpError.from('POST', '/v1/traces', answer(404, page));
    expect(mlflow.message).toBe(
      'MLflow POST /v1/traces answered 404 (an HTML page, not an MLflow API answer: is there a wrong path in trackingUri?)',
    );
    const otlp = await OtlpHttpError.from(answer(502, page));
    expect(otlp.message).toBe(
      'OTLP collector answered 502 (an HTML page, not an OTLP answer: does the endpoint end in /v1/traces?)',
    );
  });

  it('one short line of a text or JSON body, cut at 160 characters', async () => {
    const long = `quota exceeded\n${'x'.repeat(1000)}`;
    const otlp = await OtlpHttpError.from(answer(429, long, 'text/plain'));
    expect(otlp.message).toBe(`OTLP collector answered 429: quota exceeded ${'x'.repeat(142)}...`);
    const json = JSON.stringify({ error_code: 'INVALID_PARAMETER_VALUE', message: 'bad span' });
    const mlflow = await MlflowHttpError.from(
      'POST',
      '/v1/traces',
      answer(400, json, 'application/json'),
    );
    expect(mlflow.message).toBe(
      'MLflow POST /v1/traces answered 400 INVALID_PARAMETER_VALUE: bad span',
    );
    expect((await OtlpHttpError.from(answer(503, ''))).message).toBe('OTLP collector answered 503');
  });
});
