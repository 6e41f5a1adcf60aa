import { Controller, Get, Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import {
  concatMap,
  defer,
  firstValueFrom,
  interval,
  lastValueFrom,
  map,
  Observable,
  of,
  switchMap,
  take,
  throwError,
  timer,
} from 'rxjs';
import { InMemoryTraceExporter, Trace } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

@Injectable()
class Lookup {
  @Trace()
  async fetch(id: number) {
    await new Promise((r) => setTimeout(r, 1));
    return `doc-${id}`;
  }
}

@Injectable()
class Streams {
  subscriptions = 0;

  constructor(private readonly lookup: Lookup) {}

  @Trace()
  single(value: string): Observable<string> {
    return timer(0).pipe(map(() => value));
  }

  @Trace()
  several(count: number): Observable<number> {
    return interval(1).pipe(take(count));
  }

  @Trace()
  failing(error: Error): Observable<never> {
    return timer(1).pipe(switchMap(() => throwError(() => error)));
  }

  @Trace()
  failingWithNothing(): Observable<never> {
    return throwError(() => undefined);
  }

  @Trace()
  endless(): Observable<number> {
    return interval(1);
  }

  @Trace()
  counted(): Observable<number> {
    return defer(() => {
      this.subscriptions++;
      return of(1);
    });
  }

  @Trace()
  withNestedCalls(ids: number[]): Observable<string[]> {
    return defer(() => Promise.all(ids.map((id) => this.lookup.fetch(id))));
  }

  @Trace()
  withNestedCallsPerTick(): Observable<string> {
    return interval(2).pipe(
      take(2),
      concatMap((i) => this.lookup.fetch(i)),
    );
  }
}

@Controller('rx')
class RxController {
  constructor(private readonly lookup: Lookup) {}

  @Trace()
  @Get('doc')
  doc(): Observable<{ doc: string }> {
    return defer(() => this.lookup.fetch(3)).pipe(map((doc) => ({ doc })));
  }
}

describe('a traced method returning an Observable', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let streams: Streams;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({
      providers: [Streams, Lookup],
      controllers: [RxController],
    }));
    streams = app.get(Streams);
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  it('opens the span at call time and ends it on complete, with the single value as outputs', async () => {
    const source = streams.single('hello');
    await new Promise((r) => setTimeout(r, 30));
    expect(exporter.getTraces()).toHaveLength(0); // not subscribed yet: still open

    await expect(lastValueFrom(source)).resolves.toBe('hello');
    const span = exporter.findSpan({ name: 'Streams.single' });
    expect(span.statusCode).toBe('OK');
    expect(span.inputs).toEqual({ value: 'hello' });
    expect(span.outputs).toBe('hello');
    // The span includes the 30 ms between the call and the subscription.
    expect(Number(span.endTimeNs - span.startTimeNs) / 1e6).toBeGreaterThanOrEqual(25);
  });

  it('records every emitted value as an array when there are several', async () => {
    const values: number[] = [];
    await new Promise<void>((resolve, reject) =>
      streams
        .several(3)
        .subscribe({ next: (v) => values.push(v), error: reject, complete: resolve }),
    );
    expect(values).toEqual([0, 1, 2]);
    const span = exporter.findSpan({ name: 'Streams.several' });
    expect(span.outputs).toEqual([0, 1, 2]);
    expect(span.attributes['mlflow.stream.cancelled']).toBeUndefined();
  });

  it('on error marks the span ERROR with an exception event and hands the subscriber the same error', async () => {
    const error = new RangeError('stream broke');
    const received = await lastValueFrom(streams.failing(error)).catch((e: unknown) => e);
    expect(received).toBe(error);
    const span = exporter.findSpan({ name: 'Streams.failing' });
    expect(span.statusCode).toBe('ERROR');
    expect(span.statusMessage).toBe('RangeError: stream broke');
    expect(span.events).toEqual([
      expect.objectContaining({
        name: 'exception',
        attributes: expect.objectContaining({
          'exception.type': 'RangeError',
          'exception.message': 'stream broke',
        }),
      }),
    ]);
  });

  it('marks ERROR even when the error value is undefined', async () => {
    const received = await lastValueFrom(streams.failingWithNothing()).then(
      () => 'completed',
      (e: unknown) => ['errored', e],
    );
    expect(received).toEqual(['errored', undefined]);
    expect(exporter.findSpan({ name: 'Streams.failingWithNothing' }).statusCode).toBe('ERROR');
  });

  it('on unsubscribe (take(1) of an endless interval) ends the span and marks it cancelled', async () => {
    await expect(firstValueFrom(streams.endless().pipe(take(1)))).resolves.toBe(0);
    const span = exporter.findSpan({ name: 'Streams.endless' });
    expect(span.attributes['mlflow.stream.cancelled']).toBe(true);
    expect(span.outputs).toBe(0);
    expect(span.statusCode).toBe('OK');
  });

  it('on an explicit unsubscribe before any value ends the span as cancelled', async () => {
    const subscription = streams.endless().subscribe();
    subscription.unsubscribe();
    const span = exporter.findSpan({ name: 'Streams.endless' });
    expect(span.attributes['mlflow.stream.cancelled']).toBe(true);
    expect(span.outputs).toEqual([]);
  });

  it('stays lazy: nothing runs before subscription, and a second subscription still gets the values', async () => {
    streams.subscriptions = 0;
    const source = streams.counted();
    expect(streams.subscriptions).toBe(0);
    await expect(lastValueFrom(source)).resolves.toBe(1);
    await expect(lastValueFrom(source)).resolves.toBe(1);
    expect(streams.subscriptions).toBe(2);
    expect(exporter.findSpans({ name: 'Streams.counted' })).toHaveLength(1);
  });

  it('makes @Trace calls made on subscribe children of the observable span', async () => {
    await expect(lastValueFrom(streams.withNestedCalls([1, 2]))).resolves.toEqual([
      'doc-1',
      'doc-2',
    ]);
    expect(exporter.getTraces()).toHaveLength(1);
    const [root, first, second] = exporter.getTraces()[0].spans;
    expect(root.name).toBe('Streams.withNestedCalls');
    expect([first.name, second.name]).toEqual(['Lookup.fetch', 'Lookup.fetch']);
    expect(first.parentSpanIdHex).toBe(root.spanIdHex);
    expect(second.parentSpanIdHex).toBe(root.spanIdHex);
    expect(root.outputs).toEqual(['doc-1', 'doc-2']);
  });

  it('makes @Trace calls made on later, timer-driven emissions children of the observable span', async () => {
    const values: string[] = [];
    await new Promise<void>((resolve, reject) =>
      streams
        .withNestedCallsPerTick()
        .subscribe({ next: (v) => values.push(v), error: reject, complete: resolve }),
    );
    expect(values).toEqual(['doc-0', 'doc-1']);
    expect(exporter.getTraces()).toHaveLength(1);
    const [root, ...children] = exporter.getTraces()[0].spans;
    expect(children.map((s) => [s.name, s.parentSpanIdHex])).toEqual([
      ['Lookup.fetch', root.spanIdHex],
      ['Lookup.fetch', root.spanIdHex],
    ]);
  });

  it('works as a Nest controller return value: the HTTP response carries the emitted value', async () => {
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const response = await fetch(`${url}/rx/doc`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ doc: 'doc-3' });

    // The request's root span ends when the response closes, which may come just after the body.
    for (let i = 0; i < 100 && exporter.getTraces().length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const [trace] = exporter.getTraces();
    expect(trace.spans.map((s) => s.name)).toEqual([
      'GET /rx/doc',
      'RxController.doc',
      'Lookup.fetch',
    ]);
    expect(exporter.findSpan({ name: 'RxController.doc' }).outputs).toEqual({ doc: 'doc-3' });
    expect(trace.rootSpan.outputs).toEqual({ doc: 'doc-3' });
  });
});
