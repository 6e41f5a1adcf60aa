import * as fc from 'fast-check';
import type { FinishedSpan } from '../../../lib/trace-model';
import {
  drain,
  hostileClientsForFile,
  streamOf,
  type Target,
} from '../fixtures/hostile-sdk-clients';

// Property-based attacks on how SDK results become spans. A provider, a proxy in front of it,
// or a model steered by a prompt can answer anything: missing fields, wrong types, NaN or
// negative counts, repeated or huge indices, chunks out of order or after the last one,
// `__proto__` keys. Whatever comes back, for every traced SDK method:
//   1. the caller gets exactly what the SDK returned (same object, same chunks, unmodified);
//   2. the span ends, OK (ERROR only when the SDK call itself failed);
//   3. what the span holds stays within the serialization limits;
//   4. token usage, when recorded, is finite non-negative numbers;
//   5. nothing reaches Object.prototype.
// Every property runs with a fixed seed, so a failure prints the same shrunk counterexample.

const SEED = 42;
const RUNS = 40;

/** The field names the mappers read, so generated values reach their branches. */
const FIELDS = [
  ...['id', 'model', 'type', 'index', 'role', 'content', 'text', 'delta', 'message', 'usage'],
  ...['choices', 'finish_reason', 'tool_calls', 'function', 'name', 'arguments', 'refusal'],
  ...['prompt_tokens', 'completion_tokens', 'total_tokens', 'prompt_tokens_details'],
  ...['cached_tokens', 'x_groq', 'response', 'input_tokens', 'output_tokens', 'output_text'],
  ...['content_block', 'partial_json', 'thinking', 'cache_read_input_tokens', 'stop_reason'],
  ...['candidates', 'parts', 'thought', 'finishReason', 'usageMetadata', 'functionCall', 'args'],
  ...['promptTokenCount', 'candidatesTokenCount', 'totalTokenCount', 'cachedContentTokenCount'],
  ...['prompt_eval_count', 'eval_count', 'done', 'data', 'promptTokens', 'completionTokens'],
  ...['messageStart', 'contentBlockStart', 'contentBlockDelta', 'messageStop', 'metadata'],
  ...['contentBlockIndex', 'start', 'toolUse', 'input', 'reasoningContent', 'signature'],
  ...['inputTokens', 'outputTokens', 'totalTokens', 'cacheReadInputTokens', 'output', 'body'],
  ...['__proto__', 'constructor', 'prototype', 'toString', 'length', 'sdkHttpResponse'],
];

/** The `type` values of the stream events the accumulators switch on. */
const EVENT_TYPES = [
  ...['message_start', 'content_block_start', 'content_block_delta', 'message_delta'],
  ...['text_delta', 'input_json_delta', 'thinking_delta', 'tool_use', 'text', 'function'],
  ...['response.completed', 'response.incomplete', 'response.output_text.delta'],
];

const hostileNumber = fc.oneof(
  fc.double(),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(-1, -0, NaN, Infinity, -Infinity, 1e308, Number.MAX_SAFE_INTEGER),
  fc.constantFrom(2 ** 31, 2 ** 32 - 2, 2 ** 32, 1e9),
);

const leaf = fc.oneof(
  fc.constantFrom(null, undefined, true, false, '', '{', '[[[[', '{"a":', '12', 'NaN'),
  fc.constantFrom(...EVENT_TYPES),
  fc.string({ maxLength: 20 }),
  hostileNumber,
);

/** An object whose own keys may be `__proto__` (as JSON.parse makes them), not a prototype. */
function ownEntries(entries: [string, unknown][]): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const [key, field] of entries)
    Object.defineProperty(value, key, { value: field, enumerable: true, writable: true });
  return value;
}

const { hostile } = fc.letrec<{ hostile: unknown }>((tie) => ({
  hostile: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('hostile'), { maxLength: 4 }),
    fc
      .array(fc.tuple(fc.constantFrom(...FIELDS), tie('hostile')), { maxLength: 6 })
      .map(ownEntries),
  ),
}));

/** Chunks: hostile values, or copies of one value (a repeated index, a chunk after the last). */
const hostileChunks = fc.oneof(
  fc.array(hostile, { maxLength: 12 }),
  fc
    .tuple(hostile, fc.integer({ min: 1, max: 30 }))
    .map(([chunk, times]) => Array.from({ length: times }, () => chunk)),
);

// ---------------------------------------------------------------------------------------------
// What every recorded span must satisfy
// ---------------------------------------------------------------------------------------------

/** The default serialization limits (lib/serialization/serialization-limits.ts), with slack. */
const MAX_DEPTH = 10;
const MAX_STRING = 10_000 + 100;
const MAX_ITEMS = 100 + 1;

function withinLimits(value: unknown, depth = 0): void {
  if (typeof value === 'string') {
    expect(value.length).toBeLessThanOrEqual(MAX_STRING);
    return;
  }
  if (typeof value === 'number') {
    expect(Number.isFinite(value)).toBe(true);
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  expect(depth).toBeLessThanOrEqual(MAX_DEPTH);
  const items = Array.isArray(value) ? value : Object.values(value as object);
  expect(items.length).toBeLessThanOrEqual(MAX_ITEMS);
  for (const item of items) withinLimits(item, depth + 1);
}

function wellFormedUsage(span: FinishedSpan): void {
  const usage = span.attributes['mlflow.chat.tokenUsage'];
  if (usage === undefined) return;
  expect(typeof usage === 'object' && usage !== null && !Array.isArray(usage)).toBe(true);
  for (const [key, count] of Object.entries(usage as object)) {
    expect([key, typeof count]).toEqual([key, 'number']);
    expect(Number.isFinite(count) && count >= 0).toBe(true);
  }
}

function checkSpan(span: FinishedSpan, status: 'OK' | 'ERROR'): void {
  expect(span.statusCode).toBe(status);
  expect(span.endTimeNs >= span.startTimeNs).toBe(true);
  withinLimits(span.inputs);
  withinLimits(span.outputs);
  for (const value of Object.values(span.attributes)) withinLimits(value);
  for (const event of span.events) withinLimits(event.attributes);
  wellFormedUsage(span);
}

const settled = () => new Promise((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

describe('SDK results mapped into spans, whatever the provider answers', () => {
  const booted = hostileClientsForFile();
  afterEach(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(PROTOTYPE_KEYS);
  });
  const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

  /** The one span a call made, checked; a second span or none fails the property. */
  async function onlySpan(status: 'OK' | 'ERROR'): Promise<FinishedSpan> {
    await settled();
    const spans = booted().exporter.getSpans();
    expect(spans).toHaveLength(1);
    checkSpan(spans[0], status);
    return spans[0];
  }

  const responses = (): Target[] => booted().targets.filter((target) => !target.stream);
  const streams = (): Target[] => booted().targets.filter((target) => target.stream);

  it('a response reaches the caller unchanged and its span ends OK within the limits', async () => {
    for (const target of responses()) {
      await fc.assert(
        fc.asyncProperty(hostile, async (value) => {
          booted().exporter.reset();
          const before = fc.stringify(value);
          booted().answer({ value });
          const result = await target.call();
          if (target.name.startsWith('bedrock')) expect(result).toEqual({ output: value });
          else expect(result).toBe(value);
          expect(fc.stringify(value)).toBe(before);
          await onlySpan('OK');
        }),
        { seed: SEED, numRuns: RUNS },
      );
    }
  });

  it('a stream yields the very chunks the SDK made; its span ends OK, or ERROR with its failure', async () => {
    for (const target of streams()) {
      await fc.assert(
        fc.asyncProperty(hostileChunks, fc.boolean(), async (raw, fails) => {
          booted().exporter.reset();
          const chunks = raw.map((chunk) => target.frame?.(chunk) ?? chunk);
          const before = fc.stringify(chunks);
          const failure = fails ? new Error('connection reset midway') : undefined;
          booted().answer({ chunks, failure });
          const { got, error } = await drain(streamOf(await target.call()));
          expect(error).toBe(failure);
          expect(got).toHaveLength(chunks.length);
          got.forEach((chunk, i) => expect(chunk).toBe(chunks[i]));
          expect(fc.stringify(chunks)).toBe(before);
          await onlySpan(fails ? 'ERROR' : 'OK');
        }),
        { seed: SEED, numRuns: RUNS },
      );
    }
  });

  it('records no negative, NaN or infinite token count, whatever the usage says', async () => {
    const counts = fc.oneof(hostileNumber, fc.constantFrom('12', null, [3], { n: 1 }));
    const usage = fc.record({
      prompt_tokens: counts,
      completion_tokens: counts,
      total_tokens: counts,
      input_tokens: counts,
      output_tokens: counts,
      cache_read_input_tokens: counts,
      inputTokens: counts,
      outputTokens: counts,
      cacheReadInputTokens: counts,
      promptTokenCount: counts,
      candidatesTokenCount: counts,
      cachedContentTokenCount: counts,
    });
    // The usage where each SDK puts it, in a response and in a stream's last chunk.
    const shapes = fc.tuple(usage, counts, counts).map(([u, promptEval, evalCount]) => ({
      usage: u,
      usageMetadata: u,
      prompt_eval_count: promptEval,
      eval_count: evalCount,
      type: 'message_delta',
    }));
    for (const target of booted().targets) {
      await fc.assert(
        fc.asyncProperty(shapes, async (value) => {
          booted().exporter.reset();
          const start = { type: 'message_start', message: { usage: value.usage } };
          const metadata = { metadata: value };
          const raw = [start, value, metadata, { type: 'response.completed', response: value }];
          const chunks = raw.map((chunk) => target.frame?.(chunk) ?? chunk);
          booted().answer({ value, chunks: target.stream ? chunks : undefined });
          const result = await target.call();
          if (target.stream) await drain(streamOf(result));
          await onlySpan('OK');
        }),
        { seed: SEED, numRuns: RUNS },
      );
    }
  });
  it('keeps a `__proto__` key a key: it lends the span no token usage', async () => {
    const counts = { prompt_tokens: 5, completion_tokens: 7, input_tokens: 5, output_tokens: 7 };
    const decoy = {
      usage: { ...counts, inputTokens: 5, outputTokens: 7 },
      usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 7 },
      prompt_eval_count: 5,
      eval_count: 7,
    };
    const value = JSON.parse(`{"__proto__": ${JSON.stringify(decoy)}}`) as object;
    const raw = [
      { type: 'message_start', message: { role: 'assistant' } },
      { type: 'message_delta', delta: value },
      { metadata: value },
      { data: value },
      value,
    ];
    for (const target of booted().targets) {
      booted().exporter.reset();
      const chunks = raw.map((chunk) => target.frame?.(chunk) ?? chunk);
      booted().answer({ value, chunks: target.stream ? chunks : undefined });
      const result = await target.call();
      if (target.stream) await drain(streamOf(result));
      const usage = (await onlySpan('OK')).attributes['mlflow.chat.tokenUsage'] as
        Record<string, number> | undefined;
      expect([target.name, usage?.input_tokens ?? 0, usage?.output_tokens ?? 0]).toEqual([
        target.name,
        0,
        0,
      ]);
    }
  });
});
