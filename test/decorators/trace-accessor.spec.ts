import { Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, SpanType, Trace } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

@Injectable()
class Settings {
  private current = 3;
  written: number[] = [];

  /** On the getter of a get/set pair: both halves are traced. */
  @Trace(SpanType.RETRIEVER)
  get topK(): number {
    return this.current;
  }

  set topK(value: number) {
    this.current = value;
  }

  @Trace({ attributes: { kind: 'write-only' } })
  set limit(value: number) {
    this.written.push(value);
  }

  @Trace()
  get failing(): string {
    throw new RangeError('no value yet');
  }
}

describe('@Trace on accessors', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let settings: Settings;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Settings] }));
    settings = app.get(Settings);
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  it('records each read of a getter as a span with its value as outputs', () => {
    expect(settings.topK).toBe(3);
    const span = exporter.findSpan({ name: 'Settings.get topK' });
    expect(span.spanType).toBe('RETRIEVER');
    expect(span.outputs).toBe(3);
    expect(span.attributes).toMatchObject({ 'mlflow.spanFunctionName': 'get topK' });
  });

  it('records each write of a setter as a span with the value as inputs', () => {
    settings.topK = 7;
    settings.limit = 10;
    expect(settings.topK).toBe(7);
    expect(settings.written).toEqual([10]);
    expect(exporter.findSpan({ name: 'Settings.set topK' }).inputs).toEqual({ value: 7 });
    const limit = exporter.findSpan({ name: 'Settings.set limit' });
    expect(limit.inputs).toEqual({ value: 10 });
    expect(limit.attributes).toMatchObject({ kind: 'write-only' });
    expect(exporter.getTraces().map((t) => t.rootSpan.name)).toEqual([
      'Settings.set topK',
      'Settings.set limit',
      'Settings.get topK',
    ]);
  });

  it('records an error thrown by a getter and rethrows it unchanged', () => {
    expect(() => settings.failing).toThrow(new RangeError('no value yet'));
    const span = exporter.findSpan({ name: 'Settings.get failing' });
    expect(span.statusCode).toBe('ERROR');
    expect(span.statusMessage).toBe('RangeError: no value yet');
  });

  it('keeps the property an accessor with its other descriptor fields', () => {
    const pair = Object.getOwnPropertyDescriptor(Settings.prototype, 'topK');
    expect(pair).toMatchObject({ enumerable: false, configurable: true });
    expect(typeof pair?.get).toBe('function');
    expect(typeof pair?.set).toBe('function');
    expect(pair?.get?.name).toBe('get topK');
    const writeOnly = Object.getOwnPropertyDescriptor(Settings.prototype, 'limit');
    expect(writeOnly?.get).toBeUndefined();
    expect('value' in (writeOnly ?? {})).toBe(false);
    expect(settings.limit).toBeUndefined();
  });
});
