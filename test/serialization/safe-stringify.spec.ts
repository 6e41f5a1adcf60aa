import { DEFAULT_SERIALIZATION_LIMITS, safeStringify } from '../../lib/serialization';

describe('safeStringify', () => {
  it('stringifies plain values like JSON.stringify', () => {
    const input = { question: 'what is mlflow?', topK: 3, filters: { tags: ['a', 'b'] } };
    expect(safeStringify(input)).toBe(JSON.stringify(input));
    expect(safeStringify('text')).toBe('"text"');
    expect(safeStringify(null)).toBe('null');
  });

  it('returns "null" for a top-level undefined instead of undefined', () => {
    expect(safeStringify(undefined)).toBe('null');
  });

  it('stringifies what JSON.stringify throws on: cycles and BigInts', () => {
    const cyclic: Record<string, unknown> = { id: 10n };
    cyclic.self = cyclic;
    expect(() => JSON.stringify(cyclic)).toThrow();
    expect(safeStringify(cyclic)).toBe('{"id":"10","self":"[Circular]"}');
  });

  it('never throws on hostile input', () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('nope');
        },
      },
    );
    const input = {
      hostile,
      get broken(): never {
        throw new Error('getter');
      },
    };
    expect(JSON.parse(safeStringify(input))).toEqual({
      hostile: '[Unserializable: nope]',
      broken: '[Thrown: getter]',
    });
  });

  it('passes custom limits through', () => {
    const limits = { ...DEFAULT_SERIALIZATION_LIMITS, maxStringLength: 2, maxArrayLength: 1 };
    expect(safeStringify({ s: 'abcd', list: [1, 2, 3] }, limits)).toBe(
      '{"s":"ab...[truncated 2 chars]","list":[1,"...[truncated 2 items]"]}',
    );
  });
});
