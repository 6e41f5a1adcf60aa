import type { FinishedSpan, FinishedTrace } from '../../lib';
import { buildStartTraceBody } from '../../lib/mlflow/trace-info';
import { chatApp } from './fixtures/chat-app';
import { ADAPTERS, type RunningApp, settle, startApp, tracesAfter } from './fixtures/http-app';

const rootOf = (trace: FinishedTrace): FinishedSpan => trace.rootSpan;
const childrenOf = (trace: FinishedTrace, parent: FinishedSpan) =>
  trace.spans.filter((span) => span.parentSpanIdHex === parent.spanIdHex);

describe.each(ADAPTERS)('the root span of a request (%s)', (adapter) => {
  let running: RunningApp;
  let url: string;

  beforeAll(async () => {
    running = await startApp(adapter, chatApp, { http: { exclude: ['/health'] } });
    url = running.url;
  });
  afterAll(() => running.app.close());
  beforeEach(() => running.exporter.reset());

  async function onlyTrace(): Promise<FinishedTrace> {
    const traces = await tracesAfter(running.exporter, 1);
    await settle(20);
    expect(running.exporter.getTraces()).toHaveLength(1);
    return traces[0];
  }

  it('names it after the route pattern and records inputs, outputs, attributes and nested spans', async () => {
    const response = await fetch(`${url}/chat/c-42?lang=fr`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'hi' }),
    });
    expect(response.status).toBe(201);
    const body = await response.json();

    const trace = await onlyTrace();
    const root = rootOf(trace);
    expect(root.name).toBe('POST /chat/:conversationId');
    expect(root.spanType).toBe('CHAIN');
    expect(root.parentSpanIdHex).toBeNull();
    expect(root.inputs).toEqual({
      params: { conversationId: 'c-42' },
      query: { lang: 'fr' },
      body: { question: 'hi' },
    });
    expect(root.outputs).toEqual(body);
    expect(root.attributes).toMatchObject({
      'http.request.method': 'POST',
      'http.route': '/chat/:conversationId',
      'http.response.status_code': 201,
    });
    expect(root.attributes['http.response.aborted']).toBeUndefined();
    expect(trace.state).toBe('OK');
    expect(childrenOf(trace, root).map((span) => span.name)).toEqual(['Retriever.search']);
    expect(response.headers.get('x-mlflow-trace-id')).toBe(trace.traceId);
  });

  it('previews the request by its body, so a chat body shows its last user message in MLflow', async () => {
    await fetch(`${url}/chat/c-7`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        question: 'hi',
        messages: [{ role: 'user', content: 'what is a span?' }],
      }),
    });
    const trace = await onlyTrace();
    expect(trace.requestPreviewSource).toEqual({
      question: 'hi',
      messages: [{ role: 'user', content: 'what is a span?' }],
    });
    const info = (
      buildStartTraceBody(trace, '1') as { trace: { trace_info: Record<string, unknown> } }
    ).trace.trace_info;
    expect(info.request_preview).toBe('what is a span?');
  });

  it('records the exception of a throwing handler with its real type, and the status sent', async () => {
    expect((await fetch(`${url}/chat/fail`)).status).toBe(500);
    const trace = await onlyTrace();
    const root = rootOf(trace);
    expect(trace.state).toBe('ERROR');
    expect(root.name).toBe('GET /chat/fail');
    expect(root.statusMessage).toBe('LlmUnavailableError: the model is down');
    expect(root.attributes['http.response.status_code']).toBe(500);
    expect(root.attributes['error.type']).toBe('LlmUnavailableError');
    expect(root.events.map((event) => event.name)).toEqual(['exception']);
    expect(root.events[0].attributes['exception.stacktrace']).toContain('ChatController.fail');
    expect(childrenOf(trace, root).map((span) => span.name)).toEqual(['Retriever.search']);
  });

  it("records the real exception when the app's own filter turns it into a response, with that status", async () => {
    const response = await fetch(`${url}/chat/unavailable`);
    expect([response.status, await response.json()]).toEqual([
      503,
      { retryLater: true, reason: 'the model is overloaded' },
    ]);
    const trace = await onlyTrace();
    expect(trace.state).toBe('ERROR');
    expect(rootOf(trace).attributes).toMatchObject({
      'http.response.status_code': 503,
      'error.type': 'LlmUnavailableError',
    });
    expect(rootOf(trace).events[0].attributes['exception.message']).toBe('the model is overloaded');
  });

  it('records HttpExceptions and pipe rejections the same way', async () => {
    expect((await fetch(`${url}/chat/missing`)).status).toBe(404);
    expect((await fetch(`${url}/chat/items/abc`)).status).toBe(400);
    const traces = await tracesAfter(running.exporter, 2);
    const [missing, badItem] = traces.map(rootOf);
    expect(missing.name).toBe('GET /chat/missing');
    expect(missing.statusMessage).toBe('NotFoundException: no such conversation');
    expect(missing.attributes['http.response.status_code']).toBe(404);
    expect(badItem.name).toBe('GET /chat/items/:id');
    expect(badItem.attributes['error.type']).toBe('BadRequestException');
    expect(badItem.attributes['http.response.status_code']).toBe(400);
    expect(traces.map((trace) => trace.state)).toEqual(['ERROR', 'ERROR']);
  });

  it('traces a request a guard rejects: ERROR, status 403, exception type derived from the status', async () => {
    const response = await fetch(`${url}/chat/admin`, {
      headers: { 'x-role': 'guest', 'x-user-id': 'mallory' },
    });
    expect(response.status).toBe(403);
    const trace = await onlyTrace();
    const root = rootOf(trace);
    expect(root.name).toBe('GET /chat/admin');
    expect(trace.state).toBe('ERROR');
    expect(root.attributes).toMatchObject({
      'http.response.status_code': 403,
      'error.type': 'ForbiddenException',
    });
    expect(root.events[0].attributes['exception.type']).toBe('ForbiddenException');
    expect(String(root.events[0].attributes['exception.message'])).toMatch(
      /^HTTP 403 Forbidden \(type derived/,
    );
    expect(root.inputs).toEqual({ params: {}, query: {}, body: undefined });
    expect(trace.user).toBe('mallory');
    expect(response.headers.get('x-mlflow-trace-id')).toBe(trace.traceId);
    // The guard ran inside the root span: its own @Trace span nests under it.
    expect(childrenOf(trace, root).map((span) => [span.name, span.outputs])).toEqual([
      ['Auditor.allows', false],
    ]);
  });

  it('applies @TraceRoute to a guard-rejected request too', async () => {
    expect((await fetch(`${url}/chat/admin-named`)).status).toBe(403);
    const root = rootOf(await onlyTrace());
    expect([root.name, root.spanType]).toEqual(['admin area', 'AGENT']);
  });

  it('lets a guard through and sees what it set on the request', async () => {
    const response = await fetch(`${url}/chat/admin`, { headers: { 'x-role': 'admin' } });
    expect(await response.json()).toEqual({ secret: 42 });
    const trace = await onlyTrace();
    expect(trace.state).toBe('OK');
    // Masking is on by default: a `secret` key's value never leaves the process.
    expect(rootOf(trace).outputs).toEqual({ secret: '[REDACTED]' });
  });

  it('@TraceRoute names and types the root span, and can leave inputs or outputs out', async () => {
    await fetch(`${url}/chat/named?q=1`);
    await fetch(`${url}/chat/quiet`);
    const [named, quiet] = (await tracesAfter(running.exporter, 2)).map(rootOf);
    expect([named.name, named.spanType, named.inputs, named.outputs]).toEqual([
      'chat.named',
      'AGENT',
      undefined,
      { q: '1' },
    ]);
    expect(quiet.name).toBe('GET /chat/quiet');
    expect(quiet.outputs).toBeUndefined();
    expect(quiet.inputs).toEqual({ params: {}, query: {} });
  });

  it('keeps a status the handler chose (@HttpCode(418)) as an answer, not a failure', async () => {
    expect((await fetch(`${url}/chat/teapot`)).status).toBe(418);
    const trace = await onlyTrace();
    expect(trace.state).toBe('OK');
    expect(rootOf(trace).attributes['http.response.status_code']).toBe(418);
  });

  it('does not trace a request that matches no route: no trace, no header', async () => {
    for (const method of ['GET', 'POST']) {
      const response = await fetch(`${url}/no/such/route?q=1`, { method });
      expect(response.status).toBe(404);
      expect(response.headers.get('x-mlflow-trace-id')).toBeNull();
    }
    await settle();
    // Never handed to the exporter: not a trace dropped, no trace at all.
    expect(running.exporter.getTraces()).toHaveLength(0);
  });

  it('does not trace a @TraceRoute(false) route, nor the @Trace spans it runs', async () => {
    const response = await fetch(`${url}/chat/untraced`);
    expect(await response.json()).toEqual({ docs: ['doc:untraced'] });
    expect(response.headers.get('x-mlflow-trace-id')).toBeNull();
    // Also when a guard rejects the request before the interceptor sees it.
    expect((await fetch(`${url}/chat/untraced-admin`)).status).toBe(403);
    await settle();
    expect(running.exporter.getTraces()).toHaveLength(0);
  });

  it("keeps the spans of a handler outside Nest's router, named by its path", async () => {
    expect(await (await fetch(`${url}/outside?x=1`)).text()).toBe('doc:outside');
    const trace = await onlyTrace();
    expect(trace.spans.map((span) => span.name)).toEqual(['GET /outside', 'Retriever.search']);
    // Express matched no route (the raw path names the span); Fastify matched its own route.
    expect(rootOf(trace).attributes['http.route']).toBe(
      adapter === 'express' ? undefined : '/outside',
    );
  });

  it('does not trace excluded paths, nor the @Trace spans they run', async () => {
    const response = await fetch(`${url}/health`);
    expect(await response.text()).toBe('ok');
    expect(response.headers.get('x-mlflow-trace-id')).toBeNull();
    await settle();
    expect(running.exporter.getTraces()).toHaveLength(0);
  });

  it('ends the root span of an SSE stream when the stream ends, with the events as outputs', async () => {
    const response = await fetch(`${url}/chat/events`);
    const text = await response.text();
    expect(text).toContain('data: {"i":2}');
    const root = rootOf(await onlyTrace());
    expect(root.name).toBe('GET /chat/events');
    expect(root.outputs).toEqual([{ data: { i: 0 } }, { data: { i: 1 } }, { data: { i: 2 } }]);
    expect(Number(root.endTimeNs - root.startTimeNs)).toBeGreaterThanOrEqual(10e6);
  });

  it('ends the root span of a StreamableFile or an async generator when the body has been sent', async () => {
    expect(await (await fetch(`${url}/chat/file`)).text()).toBe('ab');
    expect(await (await fetch(`${url}/chat/tokens`)).text()).toBe('Hello');
    const [file, tokens] = (await tracesAfter(running.exporter, 2)).map(rootOf);
    expect([file.name, file.outputs, file.attributes['http.response.status_code']]).toEqual([
      'GET /chat/file',
      undefined,
      200,
    ]);
    expect(tokens.name).toBe('GET /chat/tokens');
    expect(Number(tokens.endTimeNs - tokens.startTimeNs)).toBeGreaterThanOrEqual(15e6);
  });

  it('ends the root span when the client goes away mid-stream, marked aborted but not failed', async () => {
    const controller = new AbortController();
    const response = await fetch(`${url}/chat/forever`, { signal: controller.signal });
    const reader = response.body!.getReader();
    let received = '';
    while (!received.includes('data:'))
      received += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const trace = await onlyTrace();
    const root = rootOf(trace);
    expect(root.name).toBe('GET /chat/forever');
    expect(root.attributes['http.response.aborted']).toBe(true);
    expect(trace.state).toBe('OK');
    // What was emitted until then (a single event is recorded as itself, as for any Observable).
    expect([root.outputs].flat()[0]).toEqual({ data: { i: 0 } });
  });

  it('keeps concurrent requests apart', async () => {
    const questions = Array.from({ length: 30 }, (_, i) => `q${i}`);
    await Promise.all(
      questions.map((question, i) =>
        fetch(`${url}/chat/c${i}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-user-id': `u${i}` },
          body: JSON.stringify({ question }),
        }),
      ),
    );
    const traces = await tracesAfter(running.exporter, questions.length);
    for (const trace of traces) {
      const root = rootOf(trace);
      const question = (root.inputs as { body: { question: string } }).body.question;
      expect(trace.user).toBe(`u${question.slice(1)}`);
      expect(trace.spans.slice(1).map((span) => span.inputs)).toEqual([{ query: question }]);
    }
  });
});

describe.each(ADAPTERS)('http.traceUnmatched: true (%s)', (adapter) => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(adapter, chatApp, { http: { traceUnmatched: true } });
  });
  afterAll(() => running.app.close());
  beforeEach(() => running.exporter.reset());

  it('traces a request that matches no route as "GET (unmatched)", the trace its response header names', async () => {
    const response = await fetch(`${running.url}/no/such/route?q=1`);
    expect(response.status).toBe(404);
    const [trace] = await tracesAfter(running.exporter, 1);
    await settle(20);
    expect(running.exporter.getTraces()).toHaveLength(1);
    expect(response.headers.get('x-mlflow-trace-id')).toBe(trace.traceId);
    expect(rootOf(trace).name).toBe('GET (unmatched)');
    expect(rootOf(trace).attributes['http.route']).toBeUndefined();
    expect(rootOf(trace).attributes['http.response.status_code']).toBe(404);
  });

  it('still leaves @TraceRoute(false) routes out', async () => {
    expect(
      (await fetch(`${running.url}/chat/untraced`)).headers.get('x-mlflow-trace-id'),
    ).toBeNull();
    await settle();
    expect(running.exporter.getTraces()).toHaveLength(0);
  });
});

describe.each(ADAPTERS)('requests that match no route under a global prefix (%s)', (adapter) => {
  it.each([false, true])('http.traceUnmatched: %s', async (traceUnmatched) => {
    const running = await startApp(adapter, chatApp, { http: { traceUnmatched } }, (app) =>
      app.setGlobalPrefix('api'),
    );
    try {
      for (const path of ['/api/no/such/route', '/elsewhere']) {
        const response = await fetch(`${running.url}${path}`);
        expect(response.status).toBe(404);
        expect(response.headers.get('x-mlflow-trace-id') !== null).toBe(traceUnmatched);
      }
      await settle();
      expect(running.exporter.getTraces().map((trace) => rootOf(trace).name)).toEqual(
        traceUnmatched ? ['GET (unmatched)', 'GET (unmatched)'] : [],
      );
    } finally {
      await running.app.close();
    }
  });
});
