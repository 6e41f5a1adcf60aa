import { Controller, Get, Injectable } from '@nestjs/common';
import {
  InMemoryTraceExporter,
  MASKING_FAILED,
  MaskingService,
  Trace,
  TraceRoute,
  TracingService,
  type FinishedTrace,
  type TraceExporter,
} from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';
import { startApp, tracesAfter, type RunningApp } from '../interceptor/fixtures/http-app';
import {
  identityHeaders,
  leakedSecrets,
  NEIGHBOURS,
  SECRET,
  supportApp,
  supportRequestBody,
} from './fixtures/secrets-app';

/** Everything a trace holds, as text (bigints as strings). */
const dump = (trace: FinishedTrace) =>
  JSON.stringify(trace, (_key, value) => (typeof value === 'bigint' ? String(value) : value));

describe('masking a request trace (InMemoryTraceExporter)', () => {
  let running: RunningApp;
  beforeAll(async () => (running = await startApp('express', supportApp)));
  afterAll(() => running.app.close());
  beforeEach(() => running.exporter.reset());

  it('leaves no raw secret anywhere in the trace, and keeps the values around them', async () => {
    const body = supportRequestBody();
    // The check itself sees every secret in the raw body.
    expect(leakedSecrets(JSON.stringify(body))).toHaveLength(Object.keys(SECRET).length + 1);
    const response = await fetch(`${running.url}/support/${NEIGHBOURS.ticket}`, {
      method: 'POST',
      headers: identityHeaders,
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(201);
    const [trace] = await tracesAfter(running.exporter, 1);
    expect(leakedSecrets(dump(trace))).toEqual([]);

    const masking = running.app.get(MaskingService);
    expect(trace.user).toBe(masking.pseudonym(SECRET.email));
    expect([trace.session, trace.clientRequestId]).toEqual([
      NEIGHBOURS.session,
      NEIGHBOURS.requestId,
    ]);
    const [root, lookup, charge] = trace.spans;
    expect(root.name).toBe(NEIGHBOURS.route);
    const inputs = root.inputs as { params: object; body: Record<string, unknown> };
    expect(inputs.params).toEqual({ ticket: NEIGHBOURS.ticket });
    expect(inputs.body.question).toBe(`${NEIGHBOURS.phrase}: mail [REDACTED] or call [REDACTED]`);
    expect(inputs.body.order).toBe(NEIGHBOURS.order);
    expect(inputs.body.db).toEqual({
      password: '[REDACTED]',
      url: 'postgres://app:[REDACTED]@db:5432/app',
    });
    expect(JSON.parse(inputs.body.raw as string)).toEqual({
      client_secret: '[REDACTED]',
      created: NEIGHBOURS.created,
    });
    expect(inputs.body.keys).toEqual([
      { 'x-api-key': '[REDACTED]', note: NEIGHBOURS.version },
      '[REDACTED]',
    ]);
    expect(root.outputs).toMatchObject({ reply: 'We wrote to [REDACTED]', ticket: 'T-1042' });
    expect(root.attributes['support.contact']).toBe('call [REDACTED]');
    expect(lookup.inputs).toEqual({
      customer: { email: '[REDACTED]', card: '[REDACTED]', tier: NEIGHBOURS.tier },
    });
    expect(charge.events[0].attributes['exception.message']).toBe(
      'charge failed for [REDACTED] ([REDACTED])',
    );
    expect(charge.statusMessage).toBe('Error: charge failed for [REDACTED] ([REDACTED])');
    expect(trace.tags).toEqual({ 'support.channel': 'web', contact: '[REDACTED]' });
    expect(trace.metadata).toEqual({
      'support.card': '[REDACTED]',
      'support.order': NEIGHBOURS.order,
    });
    expect(trace.requestPreviewSource).toEqual(inputs.body);
  });

  it('masks a thrown error on the root span', async () => {
    const response = await fetch(`${running.url}/support/T-1/refund`, { method: 'POST' });
    expect(response.status).toBe(500);
    const [trace] = await tracesAfter(running.exporter, 1);
    expect(leakedSecrets(dump(trace))).toEqual([]);
    expect(trace.rootSpan.events[0].attributes['exception.message']).toBe(
      'refund failed: card [REDACTED] token=[REDACTED]',
    );
  });
});

@Injectable()
class Notes {
  @Trace()
  save(text: string) {
    return { saved: text };
  }
}

describe('the masking stage', () => {
  it('masks a copy: the recorded trace and the app objects stay as they were', async () => {
    const { app, exporter } = await bootWithMemoryExporter({ providers: [Notes] });
    const maskTrace = jest.spyOn(app.get(MaskingService), 'startMaskingTrace');
    const tracing = app.get(TracingService);
    tracing.withSpan('outer', (span) => {
      span.setAttribute('contact', SECRET.email);
      tracing.updateCurrentTrace({ user: SECRET.email, requestPreview: `from ${SECRET.email}` });
      app.get(Notes).save(`mail ${SECRET.email}`);
    });
    const [masked] = exporter.getTraces();
    expect(masked.requestPreview).toBe('from [REDACTED]');
    expect(masked.spans[1].outputs).toEqual({ saved: 'mail [REDACTED]' });
    const recorded = maskTrace.mock.calls[0][0];
    expect(recorded).not.toBe(masked);
    expect(recorded.spans[1].outputs).toEqual({ saved: `mail ${SECRET.email}` });
    expect(recorded.rootSpan.attributes.contact).toBe(SECRET.email);
    expect(recorded.user).toBe(SECRET.email);
    await app.close();
  });

  it('hands masked traces to a user exporter after the call, and flush waits for them', async () => {
    const received: FinishedTrace[] = [];
    const exporter: TraceExporter = {
      export: (trace) => received.push(trace),
      forceFlush: async () => undefined,
      shutdown: async () => undefined,
    };
    const { app } = await bootWithMemoryExporter({ providers: [Notes] }, { exporter });
    app.get(Notes).save(`mail ${SECRET.email}`);
    expect(received).toHaveLength(0); // not on the request path
    await app.get(TracingService).flush();
    expect(received.map((trace) => trace.rootSpan.inputs)).toEqual([{ text: 'mail [REDACTED]' }]);
    expect(app.get(TracingService).getExportStats()).toMatchObject({ exported: 1, pending: 0 });
    await app.close();
  });

  it('is not there with masking: false', async () => {
    const { app, exporter } = await bootWithMemoryExporter(
      { providers: [Notes] },
      { masking: false },
    );
    app.get(Notes).save(SECRET.email);
    expect(exporter.getTraces()[0].rootSpan.outputs).toEqual({ saved: SECRET.email });
    await app.close();
  });

  it('fails closed: a throwing custom rule leaves a marker and the call succeeds', async () => {
    const { app, exporter } = await bootWithMemoryExporter(
      { providers: [Notes] },
      {
        masking: {
          custom: [
            (value) => {
              if (value.includes('classified')) throw new Error('PII service down');
              return value;
            },
          ],
        },
      },
    );
    expect(app.get(Notes).save('classified plan')).toEqual({ saved: 'classified plan' });
    const [trace] = exporter.getTraces();
    expect(trace.rootSpan.inputs).toEqual({ text: MASKING_FAILED });
    expect(trace.rootSpan.outputs).toEqual({ saved: MASKING_FAILED });
    expect(app.get(MaskingService).getStats().ruleFailures).toBe(2);
    await app.close();
  });

  it('stores a trace whose masking breaks with markers in place of what it could not check, never raw', async () => {
    const exporter = new InMemoryTraceExporter();
    const { app } = await bootWithMemoryExporter({ providers: [Notes] }, { exporter });
    const engine = (app.get(MaskingService) as unknown as { json: { walk: () => never } }).json;
    let calls = 0;
    const walk = engine.walk.bind(engine);
    // A bug in the engine on the third field (the span's inputs), nothing else.
    jest.spyOn(engine, 'walk').mockImplementation((...args: unknown[]) => {
      if (++calls === 3) throw new Error('bug');
      return (walk as (...a: unknown[]) => never)(...args);
    });
    app.get(Notes).save(SECRET.email);
    const [trace] = exporter.getTraces();
    expect(trace.rootSpan.name).toBe('Notes.save');
    expect(trace.rootSpan.inputs).toBe(MASKING_FAILED);
    expect(trace.rootSpan.outputs).toEqual({ saved: '[REDACTED]' });
    expect(JSON.stringify(trace.rootSpan)).not.toContain(SECRET.email);
    expect(app.get(TracingService).getExportStats()?.dropped.exporter_error).toBe(0);
    await app.close();
  });
});

@Injectable()
class Uploads {
  @Trace({ captureInputs: ({ question }) => ({ question }), captureOutputs: (a) => a.text })
  answer(question: string, file: Buffer) {
    return { text: `${question}? ${file.length} bytes, see ${SECRET.email}`, raw: file };
  }

  @Trace({
    captureInputs: () => {
      throw new Error('bad filter');
    },
  })
  broken(value: string) {
    return value;
  }
}

@Controller('files')
class FilesController {
  @Get(':name')
  @TraceRoute({ captureInputs: ({ params }) => ({ name: params.name }), captureOutputs: false })
  get() {
    return { content: 'big' };
  }
}

describe('captureInputs / captureOutputs as functions', () => {
  it('@Trace records what the function picks, masked afterwards', async () => {
    const { app, exporter } = await bootWithMemoryExporter({ providers: [Uploads] });
    app.get(Uploads).answer('why', Buffer.alloc(1024));
    const span = exporter.findSpan({ name: 'Uploads.answer' });
    expect(span.inputs).toEqual({ question: 'why' });
    expect(span.outputs).toBe('why? 1024 bytes, see [REDACTED]');
    expect(app.get(Uploads).broken('v')).toBe('v');
    expect(exporter.findSpan({ name: 'Uploads.broken' }).inputs).toBe('[CAPTURE_FAILED]');
    await app.close();
  });

  it('@TraceRoute records what the function picks', async () => {
    const running = await startApp('express', { controllers: [FilesController] });
    await fetch(`${running.url}/files/report.pdf?token=abc`);
    const [trace] = await tracesAfter(running.exporter, 1);
    expect(trace.rootSpan.inputs).toEqual({ name: 'report.pdf' });
    expect(trace.rootSpan.outputs).toBeUndefined();
    await running.app.close();
  });
});
