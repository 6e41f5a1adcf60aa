import { VersioningType } from '@nestjs/common';
import { perControllerApp } from './fixtures/per-controller-app';
import { chatApp } from './fixtures/chat-app';
import { ADAPTERS, type RunningApp, settle, startApp, tracesAfter } from './fixtures/http-app';

describe.each(ADAPTERS)('how requests get instrumented (%s)', (adapter) => {
  describe('http.autoInstrument: false, @UseInterceptors(MlflowTracingInterceptor) per controller', () => {
    let running: RunningApp;
    beforeAll(
      async () =>
        (running = await startApp(adapter, perControllerApp, { http: { autoInstrument: false } })),
    );
    afterAll(() => running.app.close());
    beforeEach(() => running.exporter.reset());

    it('traces the controllers that use the interceptor, with nested spans and the trace id header', async () => {
      const response = await fetch(`${running.url}/traced/7`, { headers: { 'x-user-id': 'u-7' } });
      expect(await response.json()).toEqual(['doc:traced']);
      const [trace] = await tracesAfter(running.exporter, 1);
      expect(trace.spans.map((span) => span.name)).toEqual(['GET /traced/:id', 'Retriever.search']);
      expect(trace.spans[1].parentSpanIdHex).toBe(trace.rootSpan.spanIdHex);
      expect(trace.rootSpan.attributes['http.response.status_code']).toBe(200);
      expect(trace.user).toBe('u-7');
      expect(response.headers.get('x-mlflow-trace-id')).toBe(trace.traceId);
    });

    it('leaves other controllers alone, and cannot see requests a guard rejects', async () => {
      expect(await (await fetch(`${running.url}/plain`)).text()).toBe('plain');
      expect((await fetch(`${running.url}/traced/guarded/area`)).status).toBe(403);
      await settle();
      // The guard's own @Trace span still becomes a trace of its own, as any call outside a request would.
      expect(running.exporter.getTraces().map((trace) => trace.rootSpan.name)).toEqual([
        'Auditor.allows',
      ]);
    });

    it('records one root span when the interceptor is applied twice', async () => {
      await fetch(`${running.url}/traced/twice/over`);
      const [trace] = await tracesAfter(running.exporter, 1);
      await settle(20);
      expect(running.exporter.getTraces()).toHaveLength(1);
      expect(trace.spans.map((span) => span.name)).toEqual(['GET /traced/twice/over']);
    });
  });

  describe('http.autoInstrument on, and the interceptor applied again per controller', () => {
    let running: RunningApp;
    beforeAll(async () => (running = await startApp(adapter, perControllerApp)));
    afterAll(() => running.app.close());

    it('still records one root span per request, also for plain controllers', async () => {
      await fetch(`${running.url}/traced/twice/over`);
      await fetch(`${running.url}/plain`);
      const traces = await tracesAfter(running.exporter, 2);
      await settle(20);
      expect(traces.map((trace) => trace.spans.map((span) => span.name))).toEqual([
        ['GET /traced/twice/over'],
        ['GET /plain'],
      ]);
    });
  });

  describe('enabled: false', () => {
    let running: RunningApp;
    beforeAll(
      async () =>
        (running = await startApp(
          adapter,
          {
            ...perControllerApp,
            controllers: [...perControllerApp.controllers, ...chatApp.controllers],
          },
          { enabled: false },
        )),
    );
    afterAll(() => running.app.close());

    it('records nothing and sets no header, with the interceptor global or per controller', async () => {
      const responses = await Promise.all([
        fetch(`${running.url}/traced/1`),
        fetch(`${running.url}/plain`),
        fetch(`${running.url}/chat/named?q=1`),
      ]);
      expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
      expect(responses.map((response) => response.headers.get('x-mlflow-trace-id'))).toEqual([
        null,
        null,
        null,
      ]);
      await settle();
      expect(running.exporter.getTraces()).toHaveLength(0);
    });
  });

  describe('with a global prefix and URI versioning', () => {
    let running: RunningApp;
    beforeAll(
      async () =>
        (running = await startApp(
          adapter,
          chatApp,
          { http: { exclude: ['/api/v1/health'] } },
          (app) => {
            app.setGlobalPrefix('api');
            app.enableVersioning({ type: VersioningType.URI, defaultVersion: '1' });
          },
        )),
    );
    afterAll(() => running.app.close());

    it('names the span after the full pattern the router matched, and excludes by the full path', async () => {
      await fetch(`${running.url}/api/v1/health`);
      expect((await fetch(`${running.url}/api/v1/chat/missing`)).status).toBe(404);
      expect((await fetch(`${running.url}/api/v1/chat/admin`)).status).toBe(403);
      const traces = await tracesAfter(running.exporter, 2);
      await settle();
      expect(running.exporter.getTraces().map((trace) => trace.rootSpan.name)).toEqual([
        'GET /api/v1/chat/missing',
        'GET /api/v1/chat/admin',
      ]);
      expect(traces[1].rootSpan.attributes['http.route']).toBe('/api/v1/chat/admin');
    });
  });

  describe('sampling', () => {
    it('sampleRatio 0: no trace, no header, and the nested @Trace spans are not recorded either', async () => {
      const running = await startApp(adapter, chatApp, { sampleRatio: 0 });
      const response = await fetch(`${running.url}/chat/c1`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ question: 'q' }),
      });
      expect(response.status).toBe(201);
      expect(response.headers.get('x-mlflow-trace-id')).toBeNull();
      await settle();
      expect(running.exporter.getTraces()).toHaveLength(0);
      await running.app.close();
    });

    it('sampleRatio 0.5: each request is sampled as a whole, about half of them', async () => {
      const running = await startApp(adapter, chatApp, { sampleRatio: 0.5 });
      const responses = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          fetch(`${running.url}/chat/c${i}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: '{"question":"q"}',
          }),
        ),
      );
      const withHeader = responses.filter(
        (response) => response.headers.get('x-mlflow-trace-id') !== null,
      ).length;
      const traces = await tracesAfter(running.exporter, withHeader);
      await settle();
      expect(running.exporter.getTraces()).toHaveLength(withHeader);
      expect(withHeader).toBeGreaterThan(50);
      expect(withHeader).toBeLessThan(150);
      // Sampled requests are complete; unsampled ones left no stray @Trace roots behind.
      expect(
        traces.every(
          (trace) =>
            trace.spans.map((span) => span.name).join() ===
            'POST /chat/:conversationId,Retriever.search',
        ),
      ).toBe(true);
      await running.app.close();
    });
  });
});
