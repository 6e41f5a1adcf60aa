import { Injectable } from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, Trace } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

@Injectable()
class Calls {
  @Trace()
  plain(first: string, ...rest: number[]) {
    return rest.length;
  }

  @Trace()
  afterDestructured({ id }: { id: string }, ...rest: number[]) {
    return `${id}:${rest.length}`;
  }

  @Trace()
  afterObjectDefault(options = {}, ...rest: number[]) {
    return [options, rest.length];
  }

  @Trace()
  afterArrowDefault(
    callback = () => {
      return 'x';
    },
    ...rest: number[]
  ) {
    return [callback(), rest.length];
  }
}

describe('@Trace records a rest parameter as one array input', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let calls: Calls;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Calls] }));
    calls = app.get(Calls);
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  it('after a plain parameter', () => {
    expect(calls.plain('a', 1, 2, 3)).toBe(3);
    expect(exporter.findSpan({ name: 'Calls.plain' }).inputs).toEqual({
      first: 'a',
      rest: [1, 2, 3],
    });
  });

  it('after a destructured parameter (which gets a positional name)', () => {
    expect(calls.afterDestructured({ id: 'q' }, 1, 2)).toBe('q:2');
    expect(exporter.findSpan({ name: 'Calls.afterDestructured' }).inputs).toEqual({
      arg0: { id: 'q' },
      rest: [1, 2],
    });
  });

  it('after a parameter whose default value is an object literal', () => {
    calls.afterObjectDefault({ verbose: true }, 1, 2);
    expect(exporter.findSpan({ name: 'Calls.afterObjectDefault' }).inputs).toEqual({
      options: { verbose: true },
      rest: [1, 2],
    });
  });

  it('after a parameter whose default value is an arrow function with a block body', () => {
    calls.afterArrowDefault(undefined, 7, 8);
    expect(exporter.findSpan({ name: 'Calls.afterArrowDefault' }).inputs).toEqual({ rest: [7, 8] });
  });
});
