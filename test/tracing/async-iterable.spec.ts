import { Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { Readable } from 'node:stream';
import { InMemoryTraceExporter, Trace } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

const tick = () => new Promise((r) => setImmediate(r));

@Injectable()
class Tool {
  @Trace()
  async lookup(word: string) {
    await tick();
    return word.toUpperCase();
  }
}

/** A thenable that is not a Promise, like a lazy query builder; counts how often it is started. */
class LazyQuery {
  thenCalls = 0;

  constructor(private readonly outcome: { value: unknown } | { error: unknown }) {}

  then(onFulfilled: (value: unknown) => unknown, onRejected: (error: unknown) => unknown) {
    this.thenCalls++;
    const outcome = this.outcome;
    setTimeout(
      () => ('value' in outcome ? onFulfilled(outcome.value) : onRejected(outcome.error)),
      5,
    );
  }
}

@Injectable()
class Generators {
  finallyRan = 0;
  lastStream: Readable | undefined;
  lastQuery: LazyQuery | undefined;

  constructor(private readonly tool: Tool) {}

  @Trace()
  async *tokens(words: string[]) {
    try {
      for (const word of words) {
        await tick();
        yield { token: word };
      }
    } finally {
      this.finallyRan++;
    }
  }

  @Trace()
  async *failing(after: number, error: Error) {
    for (let i = 0; i < after; i++) yield i;
    throw error;
  }

  @Trace()
  async *failingWithNothing() {
    yield 1;
    throw undefined;
  }

  @Trace()
  async *withNestedCalls(words: string[]) {
    for (const word of words) yield await this.tool.lookup(word);
  }

  @Trace()
  stream(chunks: string[]): Readable {
    this.lastStream = Readable.from(chunks);
    return this.lastStream;
  }

  @Trace()
  brokenQuery(error: Error): PromiseLike<unknown> {
    return {
      then() {
        throw error;
      },
    };
  }

  @Trace()
  query(outcome: { value: unknown } | { error: unknown }): PromiseLike<unknown> {
    this.lastQuery = new LazyQuery(outcome);
    return this.lastQuery as unknown as PromiseLike<unknown>;
  }
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

describe('a traced async generator, Node stream or foreign thenable', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let generators: Generators;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Generators, Tool] }));
    generators = app.get(Generators);
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  describe('async generator', () => {
    it('records each chunk as an mlflow.chunk.item.<i> event and all chunks as outputs, ending on exhaustion', async () => {
      const iterable = generators.tokens(['a', 'b', 'c']);
      const first = await iterable.next();
      expect(first).toEqual({ done: false, value: { token: 'a' } });
      expect(exporter.getTraces()).toHaveLength(0); // still streaming

      const rest = await collect(iterable);
      expect(rest).toEqual([{ token: 'b' }, { token: 'c' }]);
      const span = exporter.findSpan({ name: 'Generators.tokens' });
      expect(span.statusCode).toBe('OK');
      expect(span.inputs).toEqual({ words: ['a', 'b', 'c'] });
      expect(span.outputs).toEqual([{ token: 'a' }, { token: 'b' }, { token: 'c' }]);
      expect(span.events.map((e) => [e.name, e.attributes])).toEqual([
        ['mlflow.chunk.item.0', { 'mlflow.chunk.value': '{"token":"a"}' }],
        ['mlflow.chunk.item.1', { 'mlflow.chunk.value': '{"token":"b"}' }],
        ['mlflow.chunk.item.2', { 'mlflow.chunk.value': '{"token":"c"}' }],
      ]);
      expect(span.attributes['mlflow.stream.cancelled']).toBeUndefined();
    });

    it('ends the span as cancelled when for-await breaks early, and the generator is closed', async () => {
      generators.finallyRan = 0;
      const seen: string[] = [];
      for await (const chunk of generators.tokens(['a', 'b', 'c'])) {
        seen.push(chunk.token);
        if (chunk.token === 'b') break;
      }
      expect(seen).toEqual(['a', 'b']);
      expect(generators.finallyRan).toBe(1);
      const span = exporter.findSpan({ name: 'Generators.tokens' });
      expect(span.attributes['mlflow.stream.cancelled']).toBe(true);
      expect(span.outputs).toEqual([{ token: 'a' }, { token: 'b' }]);
      expect(span.statusCode).toBe('OK');
    });

    it('marks ERROR and hands the consumer the same error when the generator throws', async () => {
      const error = new SyntaxError('bad token');
      const seen: number[] = [];
      const received = await (async () => {
        for await (const i of generators.failing(2, error)) seen.push(i);
      })().catch((e: unknown) => e);
      expect(received).toBe(error);
      expect(seen).toEqual([0, 1]);
      const span = exporter.findSpan({ name: 'Generators.failing' });
      expect(span.statusCode).toBe('ERROR');
      expect(span.statusMessage).toBe('SyntaxError: bad token');
      expect(span.outputs).toEqual([0, 1]);
      expect(span.events.map((e) => e.name)).toEqual([
        'mlflow.chunk.item.0',
        'mlflow.chunk.item.1',
        'exception',
      ]);
    });

    it('marks ERROR even when the thrown value is undefined', async () => {
      const iterable = generators.failingWithNothing();
      await iterable.next();
      const outcome = await iterable.next().then(
        () => 'resolved',
        (e: unknown) => ['rejected', e],
      );
      expect(outcome).toEqual(['rejected', undefined]);
      expect(exporter.findSpan({ name: 'Generators.failingWithNothing' }).statusCode).toBe('ERROR');
    });

    it('marks ERROR and hands back the same error when the consumer calls throw()', async () => {
      const error = new Error('consumer gave up');
      const iterable = generators.tokens(['a', 'b']);
      await iterable.next();
      await expect(iterable.throw(error)).rejects.toBe(error);
      const span = exporter.findSpan({ name: 'Generators.tokens' });
      expect(span.statusCode).toBe('ERROR');
      expect(span.events.at(-1)).toEqual(
        expect.objectContaining({
          name: 'exception',
          attributes: expect.objectContaining({ 'exception.message': 'consumer gave up' }),
        }),
      );
    });

    it('makes spans opened inside the generator body children of the generator span', async () => {
      await expect(collect(generators.withNestedCalls(['x', 'y']))).resolves.toEqual(['X', 'Y']);
      expect(exporter.getTraces()).toHaveLength(1);
      const [root, ...children] = exporter.getTraces()[0].spans;
      expect(root.name).toBe('Generators.withNestedCalls');
      expect(children.map((s) => [s.name, s.inputs, s.parentSpanIdHex])).toEqual([
        ['Tool.lookup', { word: 'x' }, root.spanIdHex],
        ['Tool.lookup', { word: 'y' }, root.spanIdHex],
      ]);
    });
  });

  describe('Node Readable stream', () => {
    it('hands back the very same stream and ends the span when the stream ends', async () => {
      const stream = generators.stream(['one', 'two']);
      expect(stream).toBe(generators.lastStream);
      expect(exporter.getTraces()).toHaveLength(0);

      const chunks: string[] = [];
      for await (const chunk of stream) chunks.push(String(chunk));
      await tick();
      expect(chunks).toEqual(['one', 'two']);
      const span = exporter.findSpan({ name: 'Generators.stream' });
      expect(span.statusCode).toBe('OK');
      expect(span.inputs).toEqual({ chunks: ['one', 'two'] });
    });

    it('records ERROR when the stream is destroyed with an error', async () => {
      const stream = generators.stream(['one']);
      const error = new Error('disk gone');
      stream.on('error', () => undefined);
      stream.destroy(error);
      await tick();
      await tick();
      const span = exporter.findSpan({ name: 'Generators.stream' });
      expect(span.statusCode).toBe('ERROR');
      expect(span.statusMessage).toBe('Error: disk gone');
    });
  });

  describe('foreign thenable', () => {
    it('starts it exactly once, resolves with its value and ends the span when it settles', async () => {
      const pending = generators.query({ value: { rows: 2 } });
      expect(generators.lastQuery!.thenCalls).toBe(1);
      expect(exporter.getTraces()).toHaveLength(0);

      await expect(pending).resolves.toEqual({ rows: 2 });
      await pending; // awaiting again must not re-run the query
      expect(generators.lastQuery!.thenCalls).toBe(1);
      const span = exporter.findSpan({ name: 'Generators.query' });
      expect(span.statusCode).toBe('OK');
      expect(span.outputs).toEqual({ rows: 2 });
    });

    it('rejects with the same error and records ERROR when it rejects', async () => {
      const error = new Error('query failed');
      await expect(generators.query({ error })).rejects.toBe(error);
      expect(generators.lastQuery!.thenCalls).toBe(1);
      expect(exporter.findSpan({ name: 'Generators.query' }).statusCode).toBe('ERROR');
    });

    it('rejects like `await` would and still ends the span when its then() throws', async () => {
      const error = new Error('driver not connected');
      const awaited = await (async () => await generators.brokenQuery(error))().catch(
        (e: unknown) => e,
      );
      expect(awaited).toBe(error);
      const span = exporter.findSpan({ name: 'Generators.brokenQuery' });
      expect(span.statusCode).toBe('ERROR');
      expect(span.statusMessage).toBe('Error: driver not connected');
    });
  });
});
