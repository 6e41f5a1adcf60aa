import net from 'node:net';
import { classifyFailure, describeNetworkError, parseRetryAfter } from '../../lib/export';

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
