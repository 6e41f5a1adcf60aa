import { chatApp } from './fixtures/chat-app';
import { ADAPTERS, type RunningApp, settle, startApp, tracesAfter } from './fixtures/http-app';

const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const sampled = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
const unsampled = `00-${CALLER_TRACE}-${CALLER_SPAN}-00`;

describe.each(ADAPTERS)('an incoming traceparent header (%s)', (adapter) => {
  const apps: RunningApp[] = [];
  afterAll(() => Promise.all(apps.map((running) => running.app.close())));
  const start = async (
    acceptTraceparent?: boolean | ((request: { headers: Record<string, unknown> }) => boolean),
  ) => {
    const running = await startApp(
      adapter,
      chatApp,
      acceptTraceparent === undefined ? {} : { http: { acceptTraceparent } },
    );
    apps.push(running);
    return running;
  };

  it('is ignored by default: the request starts a trace of its own', async () => {
    const running = await start();
    const response = await fetch(`${running.url}/chat/named`, {
      headers: { traceparent: unsampled },
    });
    const [trace] = await tracesAfter(running.exporter, 1);
    expect(trace.traceIdHex).not.toBe(CALLER_TRACE);
    expect(trace.remoteParentSpanIdHex).toBeNull();
    expect(trace.rootSpan.parentSpanIdHex).toBeNull();
    expect(response.headers.get('x-mlflow-trace-id')).toBe(trace.traceId);
  });

  it("with acceptTraceparent, continues the caller's trace under the caller's span", async () => {
    const running = await start(true);
    const response = await fetch(`${running.url}/chat/named`, {
      headers: { traceparent: sampled },
    });
    const [trace] = await tracesAfter(running.exporter, 1);
    expect(trace.traceId).toBe(`tr-${CALLER_TRACE}`);
    expect(trace.rootSpan.parentSpanIdHex).toBe(CALLER_SPAN);
    expect(trace.remoteParentSpanIdHex).toBe(CALLER_SPAN);
    expect(response.headers.get('x-mlflow-trace-id')).toBe(`tr-${CALLER_TRACE}`);

    running.exporter.reset();
    await fetch(`${running.url}/chat/named`, { headers: { traceparent: 'garbage' } });
    const [fresh] = await tracesAfter(running.exporter, 1);
    expect(fresh.remoteParentSpanIdHex).toBeNull();
  });

  it("follows the caller's decision not to sample", async () => {
    const running = await start(true);
    const response = await fetch(`${running.url}/chat/named`, {
      headers: { traceparent: unsampled },
    });
    expect(response.headers.get('x-mlflow-trace-id')).toBeNull();
    await settle();
    expect(running.exporter.getTraces()).toHaveLength(0);
  });

  it('can be accepted per request by a function', async () => {
    const running = await start((request) => request.headers['x-internal'] === 'yes');
    await fetch(`${running.url}/chat/named`, {
      headers: { traceparent: sampled, 'x-internal': 'yes' },
    });
    await fetch(`${running.url}/chat/named`, { headers: { traceparent: sampled } });
    const traces = await tracesAfter(running.exporter, 2);
    expect(traces.map((trace) => trace.traceIdHex === CALLER_TRACE)).toEqual([true, false]);
  });
});
