import { Logger } from '@nestjs/common';
import {
  MASKING_BUDGET_EXCEEDED,
  MaskingService,
  MlflowTracingConfigError,
  type FinishedSpan,
  type FinishedTrace,
} from '../../lib';
import { MaskingTraceExporter } from '../../lib/masking';
import type { TraceExporter } from '../../lib/export/trace-exporter.interface';

const EMAIL = 'carol@example.com';
const asText = (value: unknown) =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

function span(id: number, inputs: unknown): FinishedSpan {
  return {
    traceIdHex: '0af7651916cd43dd8448eb211c80319c',
    spanIdHex: id.toString(16).padStart(16, '0'),
    parentSpanIdHex: id === 1 ? null : '0000000000000001',
    name: `step ${id}`,
    spanType: 'UNKNOWN',
    startTimeNs: 1n,
    endTimeNs: 2n,
    statusCode: 'OK',
    statusMessage: '',
    inputs: inputs as FinishedSpan['inputs'],
    outputs: undefined,
    attributes: {},
    events: [],
  };
}

function trace(spans: FinishedSpan[], user?: string): FinishedTrace {
  return {
    traceId: 'tr-0af7651916cd43dd8448eb211c80319c',
    traceIdHex: '0af7651916cd43dd8448eb211c80319c',
    rootSpan: spans[0],
    remoteParentSpanIdHex: null,
    spans,
    state: 'OK',
    droppedSpans: 0,
    requestTimeMs: 0,
    durationNs: 1n,
    user,
    session: undefined,
    clientRequestId: undefined,
    requestPreview: undefined,
    responsePreview: undefined,
    requestPreviewSource: undefined,
    tags: {},
    metadata: {},
  };
}

/** 100 retrieved documents of 10 kB, an e-mail in each: about 1 MB to mask. */
function largeTrace(): FinishedTrace {
  const text = `${'Quarterly figures for the region. '.repeat(290)} contact ${EMAIL}`;
  return trace([span(1, { documents: Array.from({ length: 100 }, (_, i) => ({ i, text })) })]);
}

describe('masking options that bound the work', () => {
  it.each([
    [{ budgetPerTrace: 0 }, 'masking.budgetPerTrace'],
    [{ budgetPerTrace: '1e6' }, 'masking.budgetPerTrace'],
    [{ maxDepth: 0 }, 'masking.maxDepth'],
    [{ maxDepth: 1.5 }, 'masking.maxDepth'],
  ])('refuses %j at startup, naming the option', (options, name) => {
    expect(() => new MaskingService(options as never)).toThrow(MlflowTracingConfigError);
    expect(() => new MaskingService(options as never)).toThrow(name);
  });
});

describe('a trace larger than the budget', () => {
  it('says so once, with the option to raise, then counts', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const masking = new MaskingService({ budgetPerTrace: 1_000 });
    masking.mask('x'.repeat(5_000));
    masking.mask('x'.repeat(5_000));
    const messages = warn.mock.calls.map(([message]) => String(message));
    expect(
      messages.filter((message) => message.includes('masking.budgetPerTrace (1000)')),
    ).toHaveLength(1);
    expect(masking.getStats().budgetExceeded).toBe(2);
    warn.mockRestore();
  });

  it('is masked up to the budget, the rest replaced by markers, and counted', () => {
    const masking = new MaskingService({ budgetPerTrace: 50_000 });
    const masked = masking.maskTrace(largeTrace());
    const text = asText(masked);
    expect(text).not.toContain(EMAIL);
    expect(text).toContain(MASKING_BUDGET_EXCEEDED);
    const documents = (masked.rootSpan.inputs as { documents: unknown[] }).documents;
    // The first few documents were read and masked; from the budget on, one marker stands for the rest.
    expect(documents[0]).toMatchObject({ i: 0, text: expect.stringContaining('[REDACTED]') });
    expect(documents[documents.length - 1]).toBe(MASKING_BUDGET_EXCEEDED);
    expect(documents.length).toBeLessThan(10);
    expect(masking.getStats()).toMatchObject({ maskedTraces: 1, budgetExceeded: 1 });
  });

  it('gives an identity it could not read its pseudonym, never the raw value', () => {
    const masking = new MaskingService({ budgetPerTrace: 1_000 });
    const masked = masking.maskTrace(trace([span(1, 'x'.repeat(5_000))], 'user-42'));
    expect(masked.rootSpan.inputs).toBe(MASKING_BUDGET_EXCEEDED);
    expect(masked.user).toBe(masking.pseudonym('user-42'));
  });
});

/** The exporter after the masking stage: it only keeps what it is handed. */
function collectingExporter(): { received: FinishedTrace[]; next: TraceExporter } {
  const received: FinishedTrace[] = [];
  const next: TraceExporter = {
    export: (t) => void received.push(t),
    forceFlush: () => Promise.resolve(),
    shutdown: () => Promise.resolve(),
  };
  return { received, next };
}

describe('the masking stage with a large trace', () => {
  it('masks it over several event-loop turns, so other work runs in between', async () => {
    const { received, next } = collectingExporter();
    const stage = new MaskingTraceExporter(next, new MaskingService(), 10);
    stage.export(largeTrace());
    let turns = 0;
    while (received.length === 0 && turns < 10_000) {
      await new Promise((resolve) => setImmediate(resolve));
      turns++;
    }
    expect(received).toHaveLength(1);
    expect(asText(received[0])).not.toContain(EMAIL);
    // 1 MB takes longer than one 8 ms slice, even on a fast machine; each slice yields a turn.
    expect(turns).toBeGreaterThan(1);
    expect(stage.getStats().pending).toBe(0);
  });

  it('finishes a trace it started when flushed', async () => {
    const { received, next } = collectingExporter();
    const stage = new MaskingTraceExporter(next, new MaskingService(), 10);
    stage.export(largeTrace());
    stage.export(largeTrace());
    await new Promise((resolve) => setImmediate(resolve));
    await stage.forceFlush();
    expect(received).toHaveLength(2);
    expect(asText(received)).not.toContain(EMAIL);
  });
});

describe('a string cut by the serialization limit', () => {
  it('loses its last, incomplete word, so half a secret never goes through', () => {
    const masking = new MaskingService();
    const cut = `Contact ${EMAIL.slice(0, 10)}...[truncated 7 chars]`;
    expect(masking.mask(cut)).toBe('Contact [CUT]...[truncated 7 chars]');
    expect(masking.mask('Contact carol...[truncated in the middle]')).toBe(
      'Contact carol...[truncated in the middle]',
    );
  });
});
