import { request } from 'node:http';
import { acceptIdentity } from '../../lib/interceptor/identity-value';
import { chatApp } from './fixtures/chat-app';
import { ADAPTERS, type RunningApp, startApp, tracesAfter } from './fixtures/http-app';

/** node:http writes a latin1 string byte for byte, and an array as repeated header lines. */
function rawGet(url: string, headers: Record<string, string | string[]>): Promise<void> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      response.resume();
      response.on('end', () => resolve());
    })
      .on('error', reject)
      .end();
  });
}

const utf8Bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');

describe.each(ADAPTERS)('identity headers as sent on the wire (%s)', (adapter) => {
  let running: RunningApp;
  beforeAll(async () => (running = await startApp(adapter, chatApp)));
  afterAll(() => running.app.close());
  beforeEach(() => running.exporter.reset());

  it('decodes UTF-8 values (José, 用户, 👩‍💻), not as Latin-1 mojibake', async () => {
    await rawGet(`${running.url}/chat/named`, {
      'x-user-id': utf8Bytes('José'),
      'x-session-id': utf8Bytes('用户-👩‍💻'),
      'x-request-id': utf8Bytes('req-é'),
    });
    const [trace] = await tracesAfter(running.exporter, 1);
    expect([trace.user, trace.session, trace.clientRequestId]).toEqual([
      'José',
      '用户-👩‍💻',
      'req-é',
    ]);
  });

  it('keeps a Latin-1 byte that is not UTF-8 as Latin-1', async () => {
    await rawGet(`${running.url}/chat/named`, { 'x-user-id': 'Jos\u00e9' });
    const [trace] = await tracesAfter(running.exporter, 1);
    expect(trace.user).toBe('José');
  });

  it('treats a repeated user, session or request id header as absent', async () => {
    await rawGet(`${running.url}/chat/named`, {
      'x-user-id': ['alice', 'mallory'],
      'x-session-id': ['s-1', 's-1'],
      'X-Request-Id': ['r-1', 'r-2'],
    });
    const [trace] = await tracesAfter(running.exporter, 1);
    expect([trace.user, trace.session, trace.clientRequestId]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('drops a header value with a zero-width character', async () => {
    await rawGet(`${running.url}/chat/named`, { 'x-user-id': utf8Bytes('ali\u200bce') });
    const [trace] = await tracesAfter(running.exporter, 1);
    expect(trace.user).toBeUndefined();
  });
});

describe('one character rule for every source (headers and http.identify)', () => {
  it.each([
    ['a zero-width space', 'ali\u200bce'],
    ['a zero-width non-joiner', 'ali\u200cce'],
    ['a zero-width joiner between letters', 'ali\u200dce'],
    ['a soft hyphen', 'ali\u00adce'],
    ['a byte order mark inside', 'ali\ufeffce'],
    ['a word joiner', 'ali\u2060ce'],
    ['an Arabic letter mark', 'ali\u061cce'],
    ['a lone surrogate', 'ali\ud800ce'],
  ])('rejects %s', (_label, value) => {
    expect(acceptIdentity(value, 256)).toBeUndefined();
  });

  it('keeps emoji sequences joined by U+200D', () => {
    expect(acceptIdentity('👩‍💻 and 👨‍👩‍👧', 256)).toBe('👩‍💻 and 👨‍👩‍👧');
  });

  it.each(ADAPTERS)('applies it to what http.identify returns (%s)', async (adapter) => {
    const running = await startApp(adapter, chatApp, {
      http: { identify: () => ({ user: 'ali\u200bce', session: 'ok-session' }) },
    });
    try {
      await fetch(`${running.url}/chat/named`);
      const [trace] = await tracesAfter(running.exporter, 1);
      expect([trace.user, trace.session]).toEqual([undefined, 'ok-session']);
    } finally {
      await running.app.close();
    }
  });
});
