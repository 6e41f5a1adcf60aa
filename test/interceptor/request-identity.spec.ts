import { request } from 'node:http';
import { chatApp } from './fixtures/chat-app';
import { ADAPTERS, type RunningApp, startApp, tracesAfter } from './fixtures/http-app';

const long = (length: number) => 'x'.repeat(length);

/** node:http, which sends what fetch refuses (a blank value, latin1 controls). */
function rawGet(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    })
      .on('error', reject)
      .end();
  });
}

describe.each(ADAPTERS)('user, session and request id of a request (%s)', (adapter) => {
  describe('from the default headers', () => {
    let running: RunningApp;
    beforeAll(async () => (running = await startApp(adapter, chatApp)));
    afterAll(() => running.app.close());
    beforeEach(() => running.exporter.reset());

    async function traceFor(headers: Record<string, string>, path = '/chat/named') {
      await fetch(`${running.url}${path}`, { headers });
      return (await tracesAfter(running.exporter, 1))[0];
    }

    it('records x-user-id, x-session-id and x-request-id, trimmed', async () => {
      const trace = await traceFor({
        'x-user-id': ' alice ',
        'x-session-id': 's-1',
        'x-request-id': 'req-1',
      });
      expect([trace.user, trace.session, trace.clientRequestId]).toEqual(['alice', 's-1', 'req-1']);
    });

    it('accepts 256 chars of user or session and 50 of request id, and rejects one more, whole', async () => {
      const ok = await traceFor({
        'x-user-id': long(256),
        'x-session-id': long(256),
        'x-request-id': long(50),
      });
      expect([ok.user, ok.session, ok.clientRequestId]).toEqual([long(256), long(256), long(50)]);
      running.exporter.reset();
      const tooLong = await traceFor({
        'x-user-id': long(257),
        'x-session-id': long(9000),
        'x-request-id': long(51),
      });
      expect([tooLong.user, tooLong.session, tooLong.clientRequestId]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    });

    it('rejects blank values and values with control characters', async () => {
      // HTTP parsers refuse most controls in headers; a tab and C1 controls (as latin1 bytes) get through.
      await rawGet(`${running.url}/chat/named`, {
        'x-user-id': '   ',
        'x-session-id': 'a\tb',
        'x-request-id': 'r\u0085',
      });
      const [trace] = await tracesAfter(running.exporter, 1);
      expect([trace.user, trace.session, trace.clientRequestId]).toEqual([
        undefined,
        undefined,
        undefined,
      ]);
    });

    it('lets a value the app sets itself (TracingService.updateCurrentTrace) win over the header', async () => {
      const trace = await traceFor(
        { 'x-user-id': 'from-header', 'x-session-id': 's-2' },
        '/chat/whoami',
      );
      expect([trace.user, trace.session]).toEqual(['set-by-app', 's-2']);
    });
  });

  describe('with other header names, or none', () => {
    let running: RunningApp;
    beforeAll(
      async () =>
        (running = await startApp(adapter, chatApp, {
          http: {
            userHeader: 'X-Consumer',
            sessionHeader: false,
            requestIdHeader: 'x-correlation-id',
            traceIdResponseHeader: 'x-trace',
          },
        })),
    );
    afterAll(() => running.app.close());

    it('reads the configured headers only and answers with the configured trace id header', async () => {
      const response = await fetch(`${running.url}/chat/named`, {
        headers: {
          'x-consumer': 'carol',
          'x-session-id': 'ignored',
          'x-correlation-id': 'corr-9',
          'x-request-id': 'ignored',
        },
      });
      const [trace] = await tracesAfter(running.exporter, 1);
      expect([trace.user, trace.session, trace.clientRequestId]).toEqual([
        'carol',
        undefined,
        'corr-9',
      ]);
      expect(response.headers.get('x-trace')).toBe(trace.traceId);
      expect(response.headers.get('x-mlflow-trace-id')).toBeNull();
    });
  });

  describe('from http.identify, after the guards ran', () => {
    let running: RunningApp;
    beforeAll(
      async () =>
        (running = await startApp(adapter, chatApp, {
          http: {
            identify: (request) => {
              if (request.headers['x-explode']) throw new Error('identify failed');
              return { user: request.user?.id, session: request.headers['x-conversation'] };
            },
            traceIdResponseHeader: false,
          },
        })),
    );
    afterAll(() => running.app.close());
    beforeEach(() => running.exporter.reset());

    it('sees request.user set by a guard, and never falls back to the x-user-id header', async () => {
      const response = await fetch(`${running.url}/chat/admin`, {
        headers: {
          'x-role': 'admin',
          'x-auth-user': 'dave',
          'x-conversation': 'conv-1',
          'x-user-id': 'spoofed',
        },
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-mlflow-trace-id')).toBeNull();
      const [trace] = await tracesAfter(running.exporter, 1);
      expect([trace.user, trace.session]).toEqual(['dave', 'conv-1']);

      running.exporter.reset();
      await fetch(`${running.url}/chat/named`, { headers: { 'x-user-id': 'spoofed' } });
      const [anonymous] = await tracesAfter(running.exporter, 1);
      expect(anonymous.user).toBeUndefined();
    });

    it('also runs for a request the guard rejects (the guard set request.user first)', async () => {
      expect(
        (
          await fetch(`${running.url}/chat/admin`, {
            headers: { 'x-role': 'guest', 'x-auth-user': 'erin' },
          })
        ).status,
      ).toBe(403);
      const [trace] = await tracesAfter(running.exporter, 1);
      expect(trace.user).toBe('erin');
    });

    it('survives a throwing identify: the request is answered and traced without user', async () => {
      const response = await fetch(`${running.url}/chat/named?q=2`, {
        headers: { 'x-explode': '1' },
      });
      expect(await response.json()).toEqual({ q: '2' });
      const [trace] = await tracesAfter(running.exporter, 1);
      expect(trace.user).toBeUndefined();
      expect(trace.state).toBe('OK');
    });
  });
});
