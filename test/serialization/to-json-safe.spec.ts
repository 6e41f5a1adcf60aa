import { DEFAULT_SERIALIZATION_LIMITS, toJsonSafe, type JsonValue } from '../../lib/serialization';
import type { SerializationLimits } from '../../lib/serialization';

const limits = (overrides: Partial<SerializationLimits>): SerializationLimits => ({
  ...DEFAULT_SERIALIZATION_LIMITS,
  ...overrides,
});

/** How many objects/arrays are nested along the `child` chain. */
function chainDepth(value: JsonValue): number {
  let depth = 0;
  let node = value;
  while (typeof node === 'object' && node !== null && !Array.isArray(node)) {
    depth++;
    node = node.child;
  }
  return depth;
}

describe('toJsonSafe', () => {
  describe('primitives', () => {
    it('keeps strings, booleans, finite numbers and null as they are', () => {
      expect(toJsonSafe('hello')).toBe('hello');
      expect(toJsonSafe(true)).toBe(true);
      expect(toJsonSafe(false)).toBe(false);
      expect(toJsonSafe(42.5)).toBe(42.5);
      expect(toJsonSafe(0)).toBe(0);
      expect(toJsonSafe(null)).toBeNull();
    });

    it('turns undefined into null at the top level, drops it from objects and nulls it in arrays', () => {
      expect(toJsonSafe(undefined)).toBeNull();
      const result = toJsonSafe({ a: 1, b: undefined });
      expect(result).toEqual({ a: 1 });
      expect(Object.keys(result as object)).toEqual(['a']);
      expect(toJsonSafe([1, undefined, 3])).toEqual([1, null, 3]);
      // eslint-disable-next-line no-sparse-arrays
      expect(toJsonSafe([1, , 3])).toEqual([1, null, 3]);
    });

    it('spells out NaN and the infinities', () => {
      expect(toJsonSafe(NaN)).toBe('NaN');
      expect(toJsonSafe(Infinity)).toBe('Infinity');
      expect(toJsonSafe(-Infinity)).toBe('-Infinity');
      expect(toJsonSafe({ ratio: NaN, values: [Infinity] })).toEqual({
        ratio: 'NaN',
        values: ['Infinity'],
      });
    });

    it('truncates strings longer than maxStringLength and counts the dropped chars', () => {
      expect(toJsonSafe('abcdefghij', limits({ maxStringLength: 4 }))).toBe(
        'abcd...[truncated 6 chars]',
      );
      expect(toJsonSafe('abcd', limits({ maxStringLength: 4 }))).toBe('abcd');
    });

    it('handles a 1,000,000-char string with the default limit', () => {
      const result = toJsonSafe('x'.repeat(1_000_000)) as string;
      expect(result).toBe(`${'x'.repeat(10_000)}...[truncated 990000 chars]`);
    });

    it('writes BigInts as their decimal digits', () => {
      expect(toJsonSafe(12345678901234567890n)).toBe('12345678901234567890');
      expect(toJsonSafe({ id: -7n })).toEqual({ id: '-7' });
    });

    it('describes symbols', () => {
      expect(toJsonSafe(Symbol('token'))).toBe('Symbol(token)');
      expect(toJsonSafe(Symbol())).toBe('Symbol()');
      expect(toJsonSafe({ kind: Symbol.iterator })).toEqual({ kind: 'Symbol(Symbol.iterator)' });
    });

    it('describes functions by name', () => {
      function namedHandler() {}
      class Service {}
      expect(toJsonSafe(namedHandler)).toBe('[Function namedHandler]');
      expect(toJsonSafe(Service)).toBe('[Function Service]');
      expect(
        toJsonSafe({
          callback: (
            () => () =>
              1
          )(),
        }),
      ).toEqual({
        callback: '[Function anonymous]',
      });
    });
  });

  describe('built-in objects', () => {
    it('writes Dates as ISO strings and invalid ones as "Invalid Date"', () => {
      expect(toJsonSafe(new Date('2024-05-06T07:08:09.010Z'))).toBe('2024-05-06T07:08:09.010Z');
      expect(toJsonSafe(new Date('not a date'))).toBe('Invalid Date');
      expect(toJsonSafe({ at: new Date(0) })).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    });

    it('writes RegExps as their literal source', () => {
      expect(toJsonSafe(/a+/g)).toBe('/a+/g');
      expect(toJsonSafe({ pattern: new RegExp('x/y', 'i') })).toEqual({ pattern: '/x\\/y/i' });
    });

    it('writes Errors with name, message, stack, own enumerable props and a serialized cause', () => {
      const root = new TypeError('socket closed');
      const error = Object.assign(new Error('request failed', { cause: root }), {
        code: 'E_REQUEST',
        status: 503,
      });

      const result = toJsonSafe(error) as Record<string, JsonValue>;

      expect(result).toMatchObject({
        name: 'Error',
        message: 'request failed',
        code: 'E_REQUEST',
        status: 503,
        cause: { name: 'TypeError', message: 'socket closed' },
      });
      expect(result.stack).toEqual(expect.stringContaining('request failed'));
      expect((result.cause as Record<string, JsonValue>).stack).toEqual(
        expect.stringContaining('socket closed'),
      );
    });

    it('writes Error subclasses with their own name and fields, and AggregateError errors', () => {
      class NotFoundError extends Error {
        override name = 'NotFoundError';
        constructor(readonly resource: string) {
          super(`${resource} not found`);
        }
      }
      expect(toJsonSafe(new NotFoundError('run'))).toMatchObject({
        name: 'NotFoundError',
        message: 'run not found',
        resource: 'run',
      });
      expect(toJsonSafe(new AggregateError([new Error('one')], 'many'))).toMatchObject({
        name: 'AggregateError',
        message: 'many',
        errors: [{ name: 'Error', message: 'one' }],
      });
    });

    it('marks an error that is its own cause as circular', () => {
      const error = new Error('loop');
      error.cause = error;
      expect(toJsonSafe(error)).toMatchObject({ message: 'loop', cause: '[Circular]' });
    });

    it('writes Buffers as base64', () => {
      expect(toJsonSafe(Buffer.from('hello world'))).toEqual({
        type: 'Buffer',
        base64: 'aGVsbG8gd29ybGQ=',
      });
    });

    it('truncates a Buffer base64 like a long string', () => {
      const buffer = Buffer.alloc(1_000_000, 0xab);
      const full = buffer.toString('base64');
      for (const maxStringLength of [8, 10, 11]) {
        expect(toJsonSafe(buffer, limits({ maxStringLength }))).toEqual({
          type: 'Buffer',
          base64: `${full.slice(0, maxStringLength)}...[truncated ${full.length - maxStringLength} chars]`,
        });
      }
    });

    it('writes typed arrays as { type, length, data }', () => {
      expect(toJsonSafe(new Uint8Array([1, 2, 3]))).toEqual({
        type: 'Uint8Array',
        length: 3,
        data: [1, 2, 3],
      });
      expect(toJsonSafe(new Float64Array([1.5, NaN]))).toEqual({
        type: 'Float64Array',
        length: 2,
        data: [1.5, 'NaN'],
      });
      expect(toJsonSafe(new BigInt64Array([5n]))).toEqual({
        type: 'BigInt64Array',
        length: 1,
        data: ['5'],
      });
    });

    it('truncates typed array data like an array', () => {
      expect(toJsonSafe(new Uint16Array(10).fill(7), limits({ maxArrayLength: 3 }))).toEqual({
        type: 'Uint16Array',
        length: 10,
        data: [7, 7, 7, '...[truncated 7 items]'],
      });
    });

    it('writes ArrayBuffers and DataViews as their bytes', () => {
      const bytes = new Uint8Array([9, 8, 7, 6]);
      expect(toJsonSafe(bytes.buffer)).toEqual({
        type: 'ArrayBuffer',
        length: 4,
        data: [9, 8, 7, 6],
      });
      expect(toJsonSafe(new DataView(bytes.buffer, 1, 2))).toEqual({
        type: 'DataView',
        length: 2,
        data: [8, 7],
      });
      expect(toJsonSafe(new ArrayBuffer(5), limits({ maxArrayLength: 2 }))).toEqual({
        type: 'ArrayBuffer',
        length: 5,
        data: [0, 0, '...[truncated 3 items]'],
      });
    });

    it('writes Maps with string or number keys as objects', () => {
      const map = new Map<string | number, unknown>([
        ['a', 1],
        [2, { nested: true }],
      ]);
      expect(toJsonSafe(map)).toEqual({ a: 1, '2': { nested: true } });
    });

    it('writes Maps with object keys as [key, value] pairs', () => {
      const map = new Map<unknown, unknown>([
        [{ id: 1 }, 'first'],
        ['plain', undefined],
      ]);
      expect(toJsonSafe(map)).toEqual([
        [{ id: 1 }, 'first'],
        ['plain', null],
      ]);
      // 1 and '1' would collide as object keys.
      expect(
        toJsonSafe(
          new Map<unknown, string>([
            [1, 'number'],
            ['1', 'string'],
          ]),
        ),
      ).toEqual([
        [1, 'number'],
        ['1', 'string'],
      ]);
    });

    it('truncates Maps by maxObjectKeys in object form and maxArrayLength in pair form', () => {
      const small = limits({ maxObjectKeys: 2, maxArrayLength: 1 });
      const named = new Map([
        ['a', 1],
        ['b', 2],
        ['c', 3],
      ]);
      expect(toJsonSafe(named, small)).toEqual({ a: 1, b: 2, '...': '[truncated 1 keys]' });
      const keyed = new Map([
        [{}, 1],
        [{}, 2],
        [{}, 3],
      ]);
      expect(toJsonSafe(keyed, small)).toEqual([[{}, 1], '...[truncated 2 items]']);
    });

    it('writes Sets as arrays, truncated by maxArrayLength', () => {
      expect(toJsonSafe(new Set(['x', 1, undefined]))).toEqual(['x', 1, null]);
      expect(toJsonSafe(new Set([1, 2, 3, 4]), limits({ maxArrayLength: 2 }))).toEqual([
        1,
        2,
        '...[truncated 2 items]',
      ]);
    });

    it('names Promises, WeakMaps and WeakSets without looking inside', () => {
      expect(toJsonSafe(Promise.resolve(1))).toBe('[Promise]');
      expect(toJsonSafe(new WeakMap())).toBe('[WeakMap]');
      expect(toJsonSafe(new WeakSet())).toBe('[WeakSet]');
    });

    it('unwraps boxed primitives like JSON.stringify', () => {
      expect(toJsonSafe([new String('s'), new Number(2), new Boolean(false)])).toEqual([
        's',
        2,
        false,
      ]);
    });
  });

  describe('objects', () => {
    it('copies plain objects and arrays', () => {
      const input = { question: 'what is mlflow?', topK: 3, filters: { lang: 'en', tags: ['a'] } };
      expect(toJsonSafe(input)).toEqual(input);
      expect(toJsonSafe(Object.assign(Object.create(null), { a: 1 }))).toEqual({ a: 1 });
    });

    it('uses toJSON when present, and reports a toJSON that throws', () => {
      const money = { amount: 5, toJSON: () => '5.00 EUR' };
      expect(toJsonSafe({ price: money })).toEqual({ price: '5.00 EUR' });
      expect(toJsonSafe(new URL('https://mlflow.org/docs?a=1'))).toBe(
        'https://mlflow.org/docs?a=1',
      );
      const broken = {
        toJSON() {
          throw new Error('no JSON for you');
        },
      };
      expect(toJsonSafe({ broken })).toEqual({ broken: '[Thrown: no JSON for you]' });
    });

    it('serializes toJSON results safely even when they point back at the object', () => {
      const node: { name: string; toJSON(): unknown } = {
        name: 'n',
        toJSON() {
          return { wrapped: node };
        },
      };
      expect(toJsonSafe(node)).toEqual({ wrapped: '[Circular]' });
      class Self {
        value = 1;
        toJSON() {
          return this;
        }
      }
      expect(toJsonSafe(new Self())).toEqual({ value: 1 });
    });

    it('writes class instances as their own enumerable fields, skipping prototype getters', () => {
      class Point {
        private readonly secret = Symbol('hidden');
        constructor(
          public x: number,
          public y: number,
        ) {}
        get length(): number {
          return Math.hypot(this.x, this.y);
        }
        describe(): string {
          return `${this.x},${this.y}`;
        }
      }
      expect(toJsonSafe(new Point(3, 4))).toEqual({ secret: 'Symbol(hidden)', x: 3, y: 4 });
    });

    it('ignores symbol keys and non-enumerable properties', () => {
      const input = { visible: 1, [Symbol('s')]: 2 };
      Object.defineProperty(input, 'hidden', { value: 3, enumerable: false });
      expect(toJsonSafe(input)).toEqual({ visible: 1 });
    });

    it('keeps a "__proto__" own key as data instead of changing the prototype', () => {
      const input = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as object;
      const result = toJsonSafe(input) as Record<string, JsonValue>;
      expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
      expect(Object.keys(result)).toEqual(['__proto__', 'a']);
      expect(JSON.stringify(result)).toBe('{"__proto__":{"polluted":true},"a":1}');
    });

    it('reports a throwing getter on its key and keeps the other keys', () => {
      const input = {
        before: 1,
        get broken(): number {
          throw new Error('getter exploded');
        },
        after: 2,
      };
      expect(toJsonSafe(input)).toEqual({
        before: 1,
        broken: '[Thrown: getter exploded]',
        after: 2,
      });
    });

    it('reports a thrown non-Error value', () => {
      const input = {
        get value(): number {
          throw 'plain string';
        },
      };
      expect(toJsonSafe(input)).toEqual({ value: '[Thrown: plain string]' });
    });

    it('survives a Proxy whose traps all throw', () => {
      const explode = () => {
        throw new Error('trap exploded');
      };
      const hostile = new Proxy(
        {},
        {
          get: explode,
          has: explode,
          ownKeys: explode,
          getOwnPropertyDescriptor: explode,
          getPrototypeOf: explode,
        },
      );
      expect(toJsonSafe(hostile)).toBe('[Unserializable: trap exploded]');
      expect(toJsonSafe({ ok: 1, hostile, list: [hostile] })).toEqual({
        ok: 1,
        hostile: '[Unserializable: trap exploded]',
        list: ['[Unserializable: trap exploded]'],
      });
    });

    it('reports a Proxy get trap that throws on one key, on that key only', () => {
      const picky = new Proxy(
        { a: 1, b: 2 },
        {
          get(target, key, receiver) {
            if (key === 'b') throw new RangeError('no reading b');
            return Reflect.get(target, key, receiver) as unknown;
          },
        },
      );
      expect(toJsonSafe(picky)).toEqual({ a: 1, b: '[Thrown: no reading b]' });
      const noReads = new Proxy(
        { a: 1 },
        {
          get() {
            throw new RangeError('no reads');
          },
        },
      );
      // Even the toJSON lookup is refused, so there is nothing to show.
      expect(toJsonSafe(noReads)).toBe('[Unserializable: no reads]');
    });

    it('reports a revoked Proxy', () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      expect(toJsonSafe(proxy)).toEqual(expect.stringMatching(/^\[Unserializable: .*revoked/));
    });

    it('survives objects posing as built-ins', () => {
      const fakeDate = Object.create(Date.prototype) as Date;
      expect(toJsonSafe(fakeDate)).toEqual(expect.stringMatching(/^\[Unserializable: /));
      const fakeMap = Object.create(Map.prototype) as Map<unknown, unknown>;
      expect(toJsonSafe({ fakeMap })).toEqual({
        fakeMap: expect.stringMatching(/^\[Unserializable: /),
      });
    });
  });

  describe('cycles and sharing', () => {
    it('replaces circular references with "[Circular]"', () => {
      const parent: Record<string, unknown> = { name: 'parent' };
      parent.self = parent;
      parent.children = [{ name: 'child', parent }];
      expect(toJsonSafe(parent)).toEqual({
        name: 'parent',
        self: '[Circular]',
        children: [{ name: 'child', parent: '[Circular]' }],
      });
    });

    it('detects cycles through Maps and Sets', () => {
      const map = new Map<string, unknown>();
      map.set('me', map);
      const set = new Set<unknown>();
      set.add(set);
      expect(toJsonSafe(map)).toEqual({ me: '[Circular]' });
      expect(toJsonSafe(set)).toEqual(['[Circular]']);
    });

    it('serializes a shared, non-circular object every time it appears', () => {
      const shared = { id: 1 };
      expect(toJsonSafe({ a: shared, b: shared, list: [shared, shared] })).toEqual({
        a: { id: 1 },
        b: { id: 1 },
        list: [{ id: 1 }, { id: 1 }],
      });
    });
  });

  describe('limits', () => {
    it('replaces objects deeper than maxDepth with "[MaxDepth]"', () => {
      const input = { a: { b: { c: { d: 1 } } } };
      expect(toJsonSafe(input, limits({ maxDepth: 2 }))).toEqual({ a: { b: '[MaxDepth]' } });
      expect(toJsonSafe(input, limits({ maxDepth: 0 }))).toBe('[MaxDepth]');
      expect(toJsonSafe([[['deep']]], limits({ maxDepth: 2 }))).toEqual([['[MaxDepth]']]);
    });

    it('handles 10,000-deep nesting without overflowing the stack', () => {
      let nested: Record<string, unknown> = { leaf: true };
      for (let i = 0; i < 10_000; i++) nested = { child: nested };

      const result = toJsonSafe(nested);

      expect(chainDepth(result)).toBe(DEFAULT_SERIALIZATION_LIMITS.maxDepth);
      let node = result as Record<string, JsonValue>;
      for (let i = 0; i < DEFAULT_SERIALIZATION_LIMITS.maxDepth - 1; i++) {
        node = node.child as Record<string, JsonValue>;
      }
      expect(node).toEqual({ child: '[MaxDepth]' });
    });

    it('never throws even when the depth limit is lifted on very deep input', () => {
      let nested: Record<string, unknown> = {};
      for (let i = 0; i < 200_000; i++) nested = { child: nested };
      expect(() => toJsonSafe(nested, limits({ maxDepth: Infinity }))).not.toThrow();
    });

    it('truncates arrays past maxArrayLength with a final marker item', () => {
      expect(toJsonSafe([1, 2, 3, 4, 5], limits({ maxArrayLength: 2 }))).toEqual([
        1,
        2,
        '...[truncated 3 items]',
      ]);
      const huge = toJsonSafe(new Array(1_000_000).fill(0)) as JsonValue[];
      expect(huge).toHaveLength(101);
      expect(huge[100]).toBe('...[truncated 999900 items]');
    });

    it('truncates objects past maxObjectKeys with a "..." key', () => {
      expect(toJsonSafe({ a: 1, b: 2, c: 3, d: 4 }, limits({ maxObjectKeys: 3 }))).toEqual({
        a: 1,
        b: 2,
        c: 3,
        '...': '[truncated 1 keys]',
      });
    });

    it('applies every custom limit together', () => {
      const custom: SerializationLimits = {
        maxDepth: 2,
        maxStringLength: 3,
        maxArrayLength: 1,
        maxObjectKeys: 2,
      };
      const input = { name: 'abcdef', list: ['x', 'y'], nested: { deeper: {} }, extra: true };
      expect(toJsonSafe(input, custom)).toEqual({
        name: 'abc...[truncated 3 chars]',
        list: ['x', '...[truncated 1 items]'],
        '...': '[truncated 2 keys]',
      });
      expect(toJsonSafe({ nested: { deeper: {} } }, custom)).toEqual({
        nested: { deeper: '[MaxDepth]' },
      });
    });

    it('uses the defaults when limits are not given', () => {
      expect(Object.isFrozen(DEFAULT_SERIALIZATION_LIMITS)).toBe(true);
      expect(DEFAULT_SERIALIZATION_LIMITS).toEqual({
        maxDepth: 10,
        maxStringLength: 10_000,
        maxArrayLength: 100,
        maxObjectKeys: 100,
      });
      const keys = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`k${i}`, i]));
      const result = toJsonSafe(keys) as Record<string, JsonValue>;
      expect(Object.keys(result)).toHaveLength(101);
      expect(result['...']).toBe('[truncated 50 keys]');
    });
  });

  describe('isolation', () => {
    it('is not changed by later mutation of the input', () => {
      const input = {
        question: 'q',
        tags: ['a'],
        filters: { lang: 'en' },
        seen: new Set(['x']),
        at: new Date(0),
      };
      const snapshot = toJsonSafe(input);
      const before = JSON.stringify(snapshot);

      input.question = 'changed';
      input.tags.push('b');
      input.filters.lang = 'fr';
      input.seen.add('y');
      input.at.setTime(1_000);

      expect(JSON.stringify(snapshot)).toBe(before);
      expect(snapshot).toEqual({
        question: 'q',
        tags: ['a'],
        filters: { lang: 'en' },
        seen: ['x'],
        at: '1970-01-01T00:00:00.000Z',
      });
    });

    it('does not mutate the input and shares no objects with it', () => {
      const inner = { lang: 'en' };
      const input = { filters: inner, tags: ['a'] };
      const copy = structuredClone(input);

      const snapshot = toJsonSafe(input) as Record<string, JsonValue>;

      expect(input).toEqual(copy);
      expect(snapshot.filters).not.toBe(inner);
      expect(snapshot.tags).not.toBe(input.tags);
    });
  });
});

describe('toJsonSafe on long keys', () => {
  it('cuts a key like a string value, never below 1,000 characters', () => {
    const key = 'k'.repeat(2_000);
    const snapshot = toJsonSafe(
      { [key]: 1, short: 2 },
      { maxDepth: 5, maxStringLength: 10, maxArrayLength: 10, maxObjectKeys: 10 },
    ) as Record<string, number>;
    expect(snapshot).toEqual({ [`${'k'.repeat(1_000)}...[truncated 1000 chars]`]: 1, short: 2 });
    const long = toJsonSafe({ [key.repeat(10)]: 1 }) as Record<string, number>;
    expect(Object.keys(long)[0]).toHaveLength(10_000 + '...[truncated 10000 chars]'.length);
  });
});
