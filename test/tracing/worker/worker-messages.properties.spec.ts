import type { INestApplication } from '@nestjs/common';
import * as fc from 'fast-check';
import { performance } from 'node:perf_hooks';
import { InMemoryTraceExporter, TracingService, type WorkerTraceContext } from '../../../lib';
import { encodeTracesJson } from '../../../lib/mlflow/traces-json';
import { DEFAULT_SERIALIZATION_LIMITS, toJsonSafe } from '../../../lib/serialization';
import type { FinishedSpan, JsonValue } from '../../../lib/trace-model';
import { spanStorage } from '../../../lib/tracing/span-context';
import { SpanRecord } from '../../../lib/tracing/span-record';
import { MAX_SPANS_PER_TRACE } from '../../../lib/tracing/start-span';
import { TraceRecord, type TraceOwner } from '../../../lib/tracing/trace-record';
import { traceInWorker } from '../../../lib/tracing/worker';
import { epochMsToNs, ImportedSpan } from '../../../lib/tracing/worker/imported-span';
import { WORKER_SPANS_KIND, type WireSpan } from '../../../lib/tracing/worker/wire';
import {
  WORKER_REJECTED_METADATA,
  withWorkerContext,
} from '../../../lib/tracing/worker/worker-link';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { tracesAfter } from '../../interceptor/fixtures/http-app';

// Property-based attacks on what a worker thread sends back to the caller. The caller's end
// must treat it as untrusted: valid spans are imported exactly, everything else is left out and
// counted (`nestjs.worker.rejected`, or `droppedSpans` past the trace's span limit), the caller's
// own spans stay as they were, nothing throws, and work grows linearly with the message.
// The "worker" here is this thread posting on the context's port: the caller cannot tell.

const SEED = 42;
const LIMITS = DEFAULT_SERIALIZATION_LIMITS;
const DAY_MS = 86_400_000;
const epochNow = () => performance.timeOrigin + performance.now();

// ---------------------------------------------------------------------------------------------
// A caller with one task out
// ---------------------------------------------------------------------------------------------

interface Caller {
  trace: TraceRecord;
  root: SpanRecord;
  /** A finished step of the caller's, whose id no worker is told. */
  sibling: SpanRecord;
  finished: TraceRecord[];
}

interface Task {
  caller: Caller;
  /** The span active when the task was handed out: the worker's spans go under it. */
  anchor: SpanRecord;
  context: WorkerTraceContext;
  /** The task's promise resolves: spans are accepted for the grace period more. */
  settle: () => void;
}

function openCaller(): Caller {
  const finished: TraceRecord[] = [];
  const owner: TraceOwner = {
    limits: LIMITS,
    defaultSpanType: 'UNKNOWN',
    onTraceFinished: (trace) => finished.push(trace),
  };
  const trace = new TraceRecord(owner);
  const root = new SpanRecord(trace, undefined, 'request', 'CHAIN');
  trace.spans.push(root);
  const sibling = new SpanRecord(trace, root, 'earlier step', 'TOOL');
  trace.spans.push(sibling);
  sibling.end('done');
  return { trace, root, sibling, finished };
}

function sendTask(caller: Caller): Task {
  const anchor = new SpanRecord(caller.trace, caller.root, 'send task', 'CHAIN');
  caller.trace.spans.push(anchor);
  let settle!: () => void;
  const pending = new Promise<void>((resolve) => (settle = resolve));
  let context: WorkerTraceContext | undefined;
  const returned = spanStorage.run(anchor, () =>
    withWorkerContext(60_000, (given, transferList) => {
      context = given;
      expect(transferList).toEqual([given!.port]);
      return pending;
    }),
  );
  expect(returned).toBe(pending);
  return { caller, anchor, context: context!, settle };
}

/** The task settles, the caller's root ends, the port is let go. */
function finish(task: Task): void {
  task.settle();
  task.caller.root.end();
  task.context.port.close();
}

const message = (task: Task, spans: unknown, extra: Record<string, unknown> = {}) => ({
  kind: WORKER_SPANS_KIND,
  traceId: task.caller.trace.traceIdHex,
  spans,
  dropped: 0,
  ...extra,
});

/** A well-formed span that ended a moment ago, under `parentSpanId` (or the anchor). */
function wireSpan(spanId: string, fields: Partial<WireSpan> = {}): WireSpan {
  const now = epochNow();
  return {
    spanId,
    parentSpanId: '',
    name: 'step',
    spanType: 'TOOL',
    startMs: now - 2,
    endMs: now - 1,
    status: 'OK',
    statusMessage: '',
    attributes: {},
    events: [],
    ...fields,
  };
}

// Sentinels close each delivery: messages on one port arrive in order, so once the sentinel's
// span is in the trace, everything posted before it has been handled. Generated ids never start
// with `ffff`.
let sentinels = 0;
const isSentinel = (id: string) => id.startsWith('ffff');

async function until(done: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Posts `messages` on the task's port and waits until the caller has handled them all. */
async function deliver(task: Task, ...messages: unknown[]): Promise<void> {
  for (const posted of messages) task.context.port.postMessage(posted);
  const id = `ffff${(sentinels++).toString(16).padStart(12, '0')}`;
  task.context.port.postMessage(message(task, [wireSpan(id)]));
  await until(() => task.caller.trace.spans.some((span) => span.spanIdHex === id), 'sentinel');
}

/** The spans the task imported, sentinels left out. */
const imported = (caller: Caller): FinishedSpan[] =>
  caller.trace.spans.filter((span) => span instanceof ImportedSpan && !isSentinel(span.spanIdHex));

const rejectedCount = (caller: Caller): number =>
  Number(caller.trace.metadata[WORKER_REJECTED_METADATA] ?? 0);

/** The caller's own spans, as a user would see them: they must not change. */
const callerView = (caller: Caller) =>
  caller.trace.spans
    .filter((span) => !(span instanceof ImportedSpan))
    .map((span) => ({
      id: span.spanIdHex,
      parent: span.parentSpanIdHex,
      name: span.name,
      status: span.statusCode,
      outputs: span.outputs,
      start: span.startTimeNs,
    }));

const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort();
function expectNoPollution(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeKeys);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

const HEX = '0123456789abcdef';
/** A valid span id that is never a sentinel's (`ffff…`) nor all zeros. */
const spanId = fc
  .tuple(
    fc.constantFrom(...HEX.slice(0, 15)),
    fc.string({ unit: fc.constantFrom(...HEX), minLength: 15, maxLength: 15 }),
  )
  .map(([first, rest]) => first + rest)
  .filter((id) => id !== '0'.repeat(16));

const keyish = fc.oneof(
  { weight: 4, arbitrary: fc.string({ maxLength: 8 }) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '__proto__',
      'constructor',
      'prototype',
      'toString',
      'hasOwnProperty',
      'spanId',
      'kind',
      'mlflow.spanType',
    ),
  },
);
const jsonish: fc.Arbitrary<JsonValue> = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonValue>;
/** A value as a worker might send it: anything structured clone carries. */
const cloneable = fc.anything({
  maxDepth: 3,
  maxKeys: 6,
  key: keyish,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** A span body a real worker could send, times relative to now. */
const body = fc.record({
  name: fc.oneof(fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 6 })),
  spanType: fc.constantFrom('TOOL', 'LLM', 'CHAIN', 'UNKNOWN', 'custom type'),
  status: fc.constantFrom('UNSET', 'OK', 'ERROR'),
  statusMessage: fc.string({ maxLength: 20 }),
  inputs: fc.option(jsonish, { nil: undefined }),
  outputs: fc.option(jsonish, { nil: undefined }),
  attributes: fc.dictionary(keyish, jsonish, { maxKeys: 4 }),
  agoMs: fc.double({ min: 1, max: 60_000, noNaN: true }),
  durationMs: fc.double({ min: 0, max: 1_000, noNaN: true }),
});

/** A bad value for a required field: the span is left out. */
const badTime = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, -1, 0, 1, -1e15, 1e300, Number.MAX_VALUE, -0),
  fc.constantFrom('1700000000000', null, undefined, true),
  fc.bigInt(),
  fc.date({ noInvalidDate: true }),
  // Plausibly shaped but more than a day off.
  fc
    .double({ min: DAY_MS + 60_000, max: 50 * 365 * DAY_MS, noNaN: true })
    .chain((off) => fc.constantFrom(epochNow() - off, epochNow() + off)),
);
const badStatus = fc.oneof(
  fc.constantFrom('ok', 'Ok', 'GREAT', '', ' OK', 'OK ', 'STATUS_CODE_OK', 'error', 'unset'),
  fc.constantFrom(null, undefined, 0, 1, true, ['OK'], { code: 'OK' }),
);
const badId = fc.oneof(
  spanId.map((id) => id.toUpperCase().replace(/^[0-9]/, 'A')),
  spanId.map((id) => id.slice(1)),
  spanId.map((id) => id + '0'),
  spanId.map((id) => `${id.slice(0, 8)}g${id.slice(9)}`),
  spanId.map((id) => ` ${id}`),
  spanId.map((id) => `${id}\n`),
  spanId.map((id) => `0x${id.slice(2)}`),
  fc.constantFrom('0'.repeat(16), '', '-'.repeat(16), 'not-hex', null, undefined, 42, 0xabcdef),
  fc.bigInt(),
  spanId.map((id) => [id]),
);

/** How a near-miss breaks a span, and so whether the caller may keep it. */
type Breakage =
  | { kind: 'none' }
  | { kind: 'field'; field: 'spanId' | 'startMs' | 'endMs' | 'status'; value: unknown }
  | { kind: 'ends before it starts'; by: number }
  | { kind: 'not an object'; value: unknown }
  /** The id of a span the caller already has: the anchor, the root, a sibling. */
  | { kind: 'caller id'; which: 'anchor' | 'root' | 'sibling' }
  /** An id used earlier in the same message. */
  | { kind: 'earlier id'; pick: number };

const breakage: fc.Arbitrary<Breakage> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'none' } as const) },
  {
    weight: 1,
    arbitrary: badId.map((value) => ({ kind: 'field', field: 'spanId', value }) as const),
  },
  {
    weight: 1,
    arbitrary: badTime.map((value) => ({ kind: 'field', field: 'startMs', value }) as const),
  },
  {
    weight: 1,
    arbitrary: badTime.map((value) => ({ kind: 'field', field: 'endMs', value }) as const),
  },
  {
    weight: 1,
    arbitrary: badStatus.map((value) => ({ kind: 'field', field: 'status', value }) as const),
  },
  {
    weight: 1,
    arbitrary: fc
      .double({ min: 0.001, max: 1e6, noNaN: true })
      .map((by) => ({ kind: 'ends before it starts', by }) as const),
  },
  {
    weight: 1,
    arbitrary: fc
      .oneof(
        fc.constantFrom(null, 42, 'span', true, []),
        fc.array(fc.constant({}), { maxLength: 2 }),
      )
      .map((value) => ({ kind: 'not an object', value }) as const),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('anchor', 'root', 'sibling')
      .map((which) => ({ kind: 'caller id', which }) as const),
  },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: 'earlier id', pick }) as const) },
);

/** What a span names as its parent: an earlier span, a later one, itself, or a forgery. */
type ParentClaim =
  | { kind: 'earlier'; pick: number }
  | { kind: 'later'; pick: number }
  | { kind: 'self' }
  | { kind: 'unknown'; id: string }
  | { kind: 'caller'; which: 'anchor' | 'root' | 'sibling' }
  | { kind: 'junk'; value: unknown };

const parentClaim: fc.Arbitrary<ParentClaim> = fc.oneof(
  { weight: 6, arbitrary: fc.nat().map((pick) => ({ kind: 'earlier', pick }) as const) },
  { weight: 1, arbitrary: fc.nat().map((pick) => ({ kind: 'later', pick }) as const) },
  { weight: 1, arbitrary: fc.constant({ kind: 'self' } as const) },
  { weight: 1, arbitrary: spanId.map((id) => ({ kind: 'unknown', id }) as const) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('anchor', 'root', 'sibling')
      .map((which) => ({ kind: 'caller', which }) as const),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(null, 42, '', 'ANCHOR', ['x'], { id: 'x' })
      .map((value) => ({ kind: 'junk', value }) as const),
  },
);

const plannedSpan = fc.record({ id: spanId, body, parent: parentClaim, breakage });
/** A message's spans as planned: ids distinct before any breakage reuses one. */
const plan = fc.uniqueArray(plannedSpan, {
  minLength: 1,
  maxLength: 25,
  selector: (span) => span.id,
});
type Plan = typeof plan extends fc.Arbitrary<infer T> ? T : never;

/** The wire spans of `planned`, their ids and parents resolved against this task. */
function build(task: Task, planned: Plan): unknown[] {
  const callerId = (which: 'anchor' | 'root' | 'sibling') =>
    which === 'anchor' ? task.anchor.spanIdHex : task.caller[which].spanIdHex;
  const ids = planned.map((span) => span.id);
  const now = epochNow();
  return planned.map(({ id, body: b, parent, breakage: broken }, i) => {
    const parentSpanId: unknown =
      parent.kind === 'earlier'
        ? i === 0
          ? task.anchor.spanIdHex
          : ids[parent.pick % i]
        : parent.kind === 'later'
          ? (ids[i + 1 + (parent.pick % Math.max(1, ids.length - i - 1))] ?? id)
          : parent.kind === 'self'
            ? id
            : parent.kind === 'unknown'
              ? parent.id
              : parent.kind === 'caller'
                ? callerId(parent.which)
                : parent.value;
    const wire: Record<string, unknown> = {
      spanId: id,
      parentSpanId,
      name: b.name,
      spanType: b.spanType,
      startMs: now - b.agoMs,
      endMs: now - b.agoMs + Math.min(b.durationMs, b.agoMs),
      status: b.status,
      statusMessage: b.statusMessage,
      inputs: b.inputs,
      outputs: b.outputs,
      attributes: b.attributes,
      events: [],
    };
    switch (broken.kind) {
      case 'none':
        return wire;
      case 'field':
        return { ...wire, [broken.field]: broken.value };
      case 'ends before it starts':
        return { ...wire, endMs: (wire.startMs as number) - broken.by };
      case 'not an object':
        return broken.value;
      case 'caller id':
        return { ...wire, spanId: callerId(broken.which) };
      case 'earlier id':
        return i === 0 ? wire : { ...wire, spanId: ids[broken.pick % i] };
    }
  });
}

/** Whether a breakage alone rules the span out (ids taken by others are checked in order). */
const brokenAlone = (broken: Breakage) =>
  broken.kind === 'field' ||
  broken.kind === 'ends before it starts' ||
  broken.kind === 'not an object';

/**
 * What the docs promise for a message's spans, in order: a span is kept unless malformed or its
 * id is taken (by the caller's spans or one kept before it); its parent is a span of the task
 * kept before it, or else the anchor; its values are re-limited; names and types default.
 */
function expected(task: Task, planned: Plan, wires: unknown[]) {
  const taken = new Set(task.caller.trace.spans.map((span) => span.spanIdHex));
  const kept = new Set<string>();
  const spans: Record<string, unknown>[] = [];
  let rejected = 0;
  planned.forEach(({ breakage: broken }, i) => {
    const wire = wires[i] as Record<string, unknown>;
    if (brokenAlone(broken) || taken.has(wire.spanId as string)) {
      rejected++;
      return;
    }
    const id = wire.spanId as string;
    taken.add(id);
    const parent = wire.parentSpanId;
    spans.push({
      spanIdHex: id,
      parentSpanIdHex:
        typeof parent === 'string' && kept.has(parent) ? parent : task.anchor.spanIdHex,
      traceIdHex: task.caller.trace.traceIdHex,
      name: wire.name === '' ? 'worker span' : (wire.name as string).slice(0, 1000),
      spanType: wire.spanType,
      statusCode: wire.status,
      statusMessage: wire.statusMessage,
      inputs: wire.inputs === undefined ? undefined : toJsonSafe(wire.inputs, LIMITS),
      outputs: wire.outputs === undefined ? undefined : toJsonSafe(wire.outputs, LIMITS),
      attributes: toJsonSafe(wire.attributes, LIMITS),
      startTimeNs: epochMsToNs(wire.startMs as number),
      endTimeNs: epochMsToNs(wire.endMs as number),
      events: [],
    });
    kept.add(id);
  });
  return { spans, rejected };
}

const view = (span: FinishedSpan) => ({
  spanIdHex: span.spanIdHex,
  parentSpanIdHex: span.parentSpanIdHex,
  traceIdHex: span.traceIdHex,
  name: span.name,
  spanType: span.spanType,
  statusCode: span.statusCode,
  statusMessage: span.statusMessage,
  inputs: span.inputs,
  outputs: span.outputs,
  attributes: span.attributes,
  startTimeNs: span.startTimeNs,
  endTimeNs: span.endTimeNs,
  events: span.events,
});

/**
 * Each id once, and every span's parent listed before it (the root first): a tree, with no
 * cycle and no parent missing.
 */
function expectATree(spans: readonly FinishedSpan[]): void {
  const index = new Map(spans.map((span, i) => [span.spanIdHex, i]));
  expect(index.size).toBe(spans.length);
  const misplaced = spans
    .slice(1)
    .filter((span, i) => !((index.get(span.parentSpanIdHex ?? '') ?? Infinity) <= i))
    .map((span) => [span.name, span.spanIdHex, span.parentSpanIdHex]);
  expect(misplaced).toEqual([]);
}

// ---------------------------------------------------------------------------------------------
// 1. Spans: valid ones kept exactly, near-misses left out and counted, the trace stays a tree
// ---------------------------------------------------------------------------------------------

describe('worker messages: spans are validated one by one', () => {
  it('keeps exactly the well-formed spans, re-limited, under known parents; counts the rest', async () => {
    await fc.assert(
      fc.asyncProperty(plan, async (planned) => {
        const caller = openCaller();
        const task = sendTask(caller);
        const before = callerView(caller);
        const wires = build(task, planned);
        const want = expected(task, planned, wires);
        await deliver(task, message(task, wires));
        expect(imported(caller).map(view)).toEqual(want.spans);
        expect(rejectedCount(caller)).toBe(want.rejected);
        expect(caller.trace.droppedSpans).toBe(0);
        expect(callerView(caller)).toEqual(before);
        expectATree(caller.trace.spans);
        expectNoPollution();
        finish(task);
        expect(caller.finished).toHaveLength(1);
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('a forged parent never makes a cycle or a dangling parent, whatever the order', async () => {
    // Spans naming each other in a ring, with some left out: no cycle may survive.
    const ring = fc.record({
      ids: fc.uniqueArray(spanId, { minLength: 2, maxLength: 12 }),
      broken: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
      shift: fc.integer({ min: 1, max: 11 }),
    });
    await fc.assert(
      fc.asyncProperty(ring, async ({ ids, broken, shift }) => {
        const caller = openCaller();
        const task = sendTask(caller);
        const spans = ids.map((id, i) =>
          wireSpan(id, {
            parentSpanId: ids[(i + shift) % ids.length],
            ...(broken[i] ? { status: 'BROKEN' as never } : {}),
          }),
        );
        await deliver(task, message(task, spans));
        expectATree(caller.trace.spans);
        for (const span of imported(caller)) {
          // Only a parent sent (and kept) before it may be named.
          const at = ids.indexOf(span.spanIdHex);
          const parent = ids.indexOf(span.parentSpanIdHex!);
          if (parent === -1) expect(span.parentSpanIdHex).toBe(task.anchor.spanIdHex);
          else expect(parent).toBeLessThan(at);
        }
        expect(imported(caller)).toHaveLength(broken.slice(0, ids.length).filter((b) => !b).length);
        finish(task);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('a span id is kept once per trace: repeats, other tasks’ spans and the caller’s are refused', async () => {
    const caller = openCaller();
    const first = sendTask(caller);
    const second = sendTask(caller);
    const spans = [wireSpan('1111111111111111'), wireSpan('2222222222222222')];
    await deliver(first, message(first, spans), message(first, spans));
    await deliver(
      second,
      message(second, [
        ...spans,
        wireSpan(first.anchor.spanIdHex),
        wireSpan(second.anchor.spanIdHex),
        wireSpan(caller.root.spanIdHex),
        wireSpan(caller.sibling.spanIdHex),
        wireSpan('3333333333333333', { parentSpanId: '1111111111111111' }),
      ]),
    );
    expect(imported(caller).map((span) => [span.spanIdHex, span.parentSpanIdHex])).toEqual([
      ['1111111111111111', first.anchor.spanIdHex],
      ['2222222222222222', first.anchor.spanIdHex],
      // Another task's span is not a parent this task may name.
      ['3333333333333333', second.anchor.spanIdHex],
    ]);
    expect(rejectedCount(caller)).toBe(2 + 2 + 4);
    expectATree(caller.trace.spans);
    finish(first);
    second.context.port.close();
  });

  it('values: deep nesting, huge key counts, huge strings, sparse arrays and prototype keys are re-limited', async () => {
    const caller = openCaller();
    const task = sendTask(caller);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 300; i++) deep = { next: deep };
    const wide = Object.fromEntries(Array.from({ length: 50_000 }, (_, i) => [`k${i}`, i]));
    const sparse: unknown[] = [];
    sparse.length = 2 ** 32 - 1;
    sparse[7] = 'x';
    const polluting = JSON.parse(
      '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"ok":1}',
    ) as Record<string, unknown>;
    const huge = 'x'.repeat(1_000_000);
    const wire = wireSpan('4444444444444444', {
      name: huge,
      spanType: huge,
      statusMessage: huge,
      inputs: deep as JsonValue,
      outputs: sparse as JsonValue,
      attributes: { wide: wide as JsonValue, polluting: polluting as JsonValue, [huge]: 1 },
      events: [
        {
          name: huge,
          timeMs: epochNow() - 1,
          attributes: { ...wide, [huge]: huge } as never,
        },
      ],
    });
    // A span whose status is only under an own `__proto__` key has none.
    const { status: _status, ...statusless } = wireSpan('4444444444444445');
    Object.defineProperty(statusless, '__proto__', {
      value: { status: 'OK', polluted: true },
      enumerable: true,
    });
    await deliver(task, message(task, [wire, statusless]));
    expect(rejectedCount(caller)).toBe(1);
    expect(imported(caller)).toHaveLength(1);
    const [span] = imported(caller);
    expect(span.name).toHaveLength(1_000);
    expect(span.spanType).toHaveLength(1_000);
    expect(span.statusMessage).toHaveLength(LIMITS.maxStringLength);
    expect(span.statusCode).toBe('OK');
    expect(span.inputs).toEqual(toJsonSafe(deep, LIMITS));
    expect(JSON.stringify(span.inputs)).toContain('[MaxDepth]');
    expect(span.outputs).toEqual(toJsonSafe(sparse, LIMITS));
    expect((span.outputs as unknown[]).length).toBe(LIMITS.maxArrayLength + 1);
    const attributes = span.attributes as Record<string, Record<string, JsonValue>>;
    expect(Object.keys(attributes.wide)).toHaveLength(LIMITS.maxObjectKeys + 1);
    expect(Object.keys(attributes.polluting)).toEqual(['__proto__', 'constructor', 'ok']);
    expect(Object.getPrototypeOf(attributes.polluting)).toBe(Object.prototype);
    expect(Object.keys(attributes).every((key) => key.length <= LIMITS.maxStringLength + 40)).toBe(
      true,
    );
    expect(span.events).toHaveLength(1);
    expect(span.events[0].name).toHaveLength(LIMITS.maxStringLength);
    expect(Object.keys(span.events[0].attributes)).toHaveLength(128);
    expectNoPollution();
    finish(task);
  });

  it('a message too deep for the port to read is lost alone: no crash, later messages still count', async () => {
    const caller = openCaller();
    const task = sendTask(caller);
    let deep: unknown = 'bottom';
    // Deep enough that reading it overflows the stack (writing it does not): the port drops it.
    for (let i = 0; i < 2_000; i++) deep = { next: deep };
    await deliver(
      task,
      message(task, [wireSpan('4444444444444446', { inputs: deep as JsonValue })]),
      message(task, [wireSpan('4444444444444447')]),
    );
    expect(imported(caller).map((span) => span.spanIdHex)).toEqual(['4444444444444447']);
    finish(task);
  });

  it('events: bad times and shapes are left out, at most 1,000 per span, values only primitives', async () => {
    const caller = openCaller();
    const task = sendTask(caller);
    const at = epochNow() - 1;
    const events = [
      { name: 'kept', timeMs: at, attributes: { s: 'x', n: 1, b: true, o: { x: 1 }, nan: NaN } },
      { name: 'negative', timeMs: -1, attributes: {} },
      { name: 'nan', timeMs: NaN, attributes: {} },
      { name: 'far', timeMs: at + 2 * DAY_MS, attributes: {} },
      { name: 'text time', timeMs: String(at), attributes: {} },
      { name: 42, timeMs: at, attributes: {} },
      null,
      'event',
      { name: 'no attributes', timeMs: at },
      ...Array.from({ length: 1_500 }, (_, i) => ({ name: `e${i}`, timeMs: at, attributes: {} })),
    ];
    await deliver(task, message(task, [wireSpan('5555555555555555', { events: events as never })]));
    const [span] = imported(caller);
    expect(span.events.slice(0, 2)).toEqual([
      { name: 'kept', timeNs: epochMsToNs(at), attributes: { s: 'x', n: 1, b: true } },
      { name: 'no attributes', timeNs: epochMsToNs(at), attributes: {} },
    ]);
    // The first 1,000 items are read; 9 of them are not events.
    expect(span.events).toHaveLength(1_000 - 7);
    expect(rejectedCount(caller)).toBe(0);
    finish(task);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Messages: anything that is not ours is ignored, whole; nothing throws, nothing pollutes
// ---------------------------------------------------------------------------------------------

describe('worker messages: the envelope', () => {
  /** One field of our own message set off; the span inside it valid. */
  const nearMiss = fc.oneof(
    fc
      .constantFrom(
        WORKER_SPANS_KIND.toUpperCase(),
        `${WORKER_SPANS_KIND} `,
        'nestjs-mlflow-tracing.worker-span',
        '',
        undefined,
      )
      .map((kind) => ({ kind })),
    fc
      .oneof(fc.constantFrom('upper', 'tr-', 'short', 'other'), fc.anything({ maxDepth: 1 }))
      .map((traceId) => ({ traceId })),
    fc
      .oneof(
        cloneable,
        fc.constant({ length: 1, 0: {} }),
        fc.constant(new Set([{}])),
        fc.constant(new Map([[0, {}]])),
      )
      .map((spans) => ({ spans })),
  );
  const isOurs = (posted: unknown, traceId: string): posted is { spans: unknown[] } => {
    const fields = posted as Record<string, unknown>;
    return (
      typeof posted === 'object' &&
      posted !== null &&
      fields.kind === WORKER_SPANS_KIND &&
      fields.traceId === traceId &&
      Array.isArray(fields.spans)
    );
  };

  it('ignores whatever is not a span message for this trace; refuses junk spans, counted', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            cloneable,
            nearMiss.map((fields) => ({ nearMiss: fields })),
          ),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        async (junk) => {
          const caller = openCaller();
          const task = sendTask(caller);
          const before = callerView(caller);
          const traceId = caller.trace.traceIdHex;
          const renamed: Record<string, string> = {
            upper: traceId.toUpperCase(),
            'tr-': `tr-${traceId}`,
            short: traceId.slice(1),
            other: openCaller().trace.traceIdHex,
          };
          const posted = junk.map((entry) => {
            const near = (entry as { nearMiss?: Record<string, unknown> } | null)?.nearMiss;
            if (near === undefined) return entry;
            const base = message(task, [wireSpan('6666666666666666')], { dropped: 5 });
            if (typeof near.traceId === 'string' && near.traceId in renamed)
              return { ...base, traceId: renamed[near.traceId] };
            return { ...base, ...near };
          });
          const delivered = posted.filter((entry) => {
            try {
              task.context.port.postMessage(entry);
              return true;
            } catch {
              return false; // not cloneable: it never reaches the caller
            }
          });
          await deliver(task);
          const ours = delivered.filter((entry) => isOurs(entry, traceId));
          expect(imported(caller)).toEqual([]);
          // Arrays that anything generates hold no valid span: every item is refused.
          expect(rejectedCount(caller)).toBe(
            ours.reduce((sum, entry) => sum + (entry as { spans: unknown[] }).spans.length, 0),
          );
          expect(caller.trace.droppedSpans).toBe(5 * ours.length);
          expect(callerView(caller)).toEqual(before);
          expectNoPollution();
          finish(task);
        },
      ),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('a `__proto__` key never stands in for the message’s own fields', async () => {
    const caller = openCaller();
    const task = sendTask(caller);
    const inside = JSON.stringify(message(task, [wireSpan('7777777777777777')]));
    await deliver(
      task,
      JSON.parse(`{"__proto__":${inside}}`),
      JSON.parse(`{"constructor":{"prototype":${inside}}}`),
      {
        ...message(
          task,
          JSON.parse(`{"__proto__":[${JSON.stringify(wireSpan('7777777777777778'))}]}`),
        ),
      },
    );
    expect(imported(caller)).toEqual([]);
    expectNoPollution();
    finish(task);
  });

  it('adds what the worker says it dropped only when it is a sane count', async () => {
    const dropped = fc.oneof(
      fc.integer({ min: -1_000, max: 50_000 }),
      fc.constantFrom(NaN, Infinity, -Infinity, 2 ** 53, 1e20, 5.5, '5', null, [5], { n: 5 }),
      fc.bigInt(),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(dropped, { maxLength: 4 }), async (counts) => {
        const caller = openCaller();
        const task = sendTask(caller);
        await deliver(task, ...counts.map((count) => message(task, [], { dropped: count })));
        const sane = counts.filter(
          (count): count is number =>
            typeof count === 'number' && Number.isSafeInteger(count) && count > 0,
        );
        const total = sane.reduce((sum, count) => sum + Math.min(count, MAX_SPANS_PER_TRACE), 0);
        expect(caller.trace.droppedSpans).toBe(total);
        finish(task);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Bounds: span counts, array lengths, after the end
// ---------------------------------------------------------------------------------------------

describe('worker messages: bounded', () => {
  it('a sparse spans array of 2^32-1 items is not walked: the message costs what a worker’s can', async () => {
    const caller = openCaller();
    const task = sendTask(caller);
    const spans: unknown[] = [];
    spans.length = 2 ** 32 - 1;
    spans[3] = wireSpan('8888888888888888');
    const started = performance.now();
    await deliver(task, message(task, spans));
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(imported(caller).map((span) => span.spanIdHex)).toEqual(['8888888888888888']);
    expect(rejectedCount(caller)).toBe(2 ** 32 - 2);
    finish(task);
  });

  it('past the trace’s span limit spans are counted as dropped, the caller’s trace intact', async () => {
    const caller = openCaller();
    const task = sendTask(caller);
    const before = callerView(caller);
    const room = MAX_SPANS_PER_TRACE - caller.trace.spans.length;
    const ids = Array.from({ length: MAX_SPANS_PER_TRACE + 2_000 }, (_, i) =>
      (0x1000000000000000n + BigInt(i)).toString(16),
    );
    // One message of 12,000: the first 10,000 are read (a worker's own limit), 2,000 refused.
    task.context.port.postMessage(
      message(
        task,
        ids.map((id, i) => wireSpan(id, { parentSpanId: ids[i - 1] })),
      ),
    );
    // A second one: every span of it past the limit.
    task.context.port.postMessage(message(task, [wireSpan('9999999999999999')]));
    await until(() => caller.trace.droppedSpans === MAX_SPANS_PER_TRACE - room + 1, 'drops');
    expect(caller.trace.spans).toHaveLength(MAX_SPANS_PER_TRACE);
    expect(imported(caller)).toHaveLength(room);
    expect(rejectedCount(caller)).toBe(2_000);
    expect(callerView(caller)).toEqual(before);
    // Each under the one before it: a chain 9,997 deep is still a tree.
    expectATree(caller.trace.spans);
    finish(task);
  });

  it('after the trace has ended a message changes nothing, and the caller lets the port go', async () => {
    const caller = openCaller();
    const task = sendTask(caller);
    task.settle();
    caller.root.end();
    expect(caller.finished).toHaveLength(1);
    const spans = caller.trace.spans.length;
    const closed = new Promise((resolve) => task.context.port.once('close', resolve));
    task.context.port.postMessage(message(task, [wireSpan('aaaaaaaaaaaaaaa1')], { dropped: 9 }));
    await closed;
    expect(caller.trace.spans).toHaveLength(spans);
    expect(caller.trace.droppedSpans).toBe(0);
    // Posting on a port the caller closed is a no-op for the worker, not an error.
    expect(() => task.context.port.postMessage(message(task, []))).not.toThrow();
  });

  it('after the task has settled, spans are taken for the grace period only', async () => {
    const caller = openCaller();
    const task = sendTask(caller);
    const closed = new Promise((resolve) => task.context.port.once('close', resolve));
    task.settle();
    await deliver(task, message(task, [wireSpan('bbbbbbbbbbbbbbb1')]));
    await closed;
    task.context.port.postMessage(message(task, [wireSpan('bbbbbbbbbbbbbbb2')]));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(imported(caller).map((span) => span.spanIdHex)).toEqual(['bbbbbbbbbbbbbbb1']);
    caller.root.end();
    expect(caller.finished).toHaveLength(1);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Linear work
// ---------------------------------------------------------------------------------------------

const SMALL = 900;
const LARGE = 10 * SMALL;
/** Linear work gives a ratio near 10 and quadratic near 100; three times linear is the bound. */
const MAX_RATIO = 10 * 3;

/** Time from posting `messages(n)` to the caller having handled them, on a fresh trace. */
async function timeDelivery(messages: (task: Task) => unknown[]): Promise<number> {
  const caller = openCaller();
  const task = sendTask(caller);
  const posted = messages(task);
  const started = process.hrtime.bigint();
  await deliver(task, ...posted);
  const took = Number(process.hrtime.bigint() - started);
  finish(task);
  return took;
}

/**
 * Time at `LARGE` over time at `SMALL`, each the fastest of its rounds, measured in turn; a
 * round is added while the ratio is over the bound (noise only slows a run down, so more rounds
 * bring a linear ratio down, never a quadratic one).
 */
async function growth(make: (task: Task, n: number) => unknown[]): Promise<number> {
  let small = Infinity;
  let large = Infinity;
  for (let round = 0; round < 8; round++) {
    small = Math.min(small, await timeDelivery((task) => make(task, SMALL)));
    large = Math.min(large, await timeDelivery((task) => make(task, LARGE)));
    if (round >= 2 && large / small < MAX_RATIO) break;
  }
  return large / small;
}

const ids = (n: number, prefix: string) =>
  Array.from({ length: n }, (_, i) => prefix + i.toString(16).padStart(16 - prefix.length, '0'));

describe('worker messages: work grows linearly', () => {
  it('with the spans in one message, each under the one before', async () => {
    const ratio = await growth((task, n) => {
      const chain = ids(n, 'c');
      return [
        message(
          task,
          chain.map((id, i) => wireSpan(id, { parentSpanId: chain[i - 1] })),
        ),
      ];
    });
    expect(ratio).toBeLessThan(MAX_RATIO);
  });

  it('with the number of messages, one span each', async () => {
    const ratio = await growth((task, n) => ids(n, 'd').map((id) => message(task, [wireSpan(id)])));
    expect(ratio).toBeLessThan(MAX_RATIO);
  });

  it('with near-miss spans that are all refused', async () => {
    const ratio = await growth((task, n) => [
      message(
        task,
        ids(n, 'e').map((id, i) =>
          i % 2 === 0 ? wireSpan(id.toUpperCase()) : wireSpan(id, { endMs: -1 }),
        ),
      ),
    ]);
    expect(ratio).toBeLessThan(MAX_RATIO);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. The worker's side: a hostile context never breaks the worker's own code
// ---------------------------------------------------------------------------------------------

describe('traceInWorker: whatever arrives as the context', () => {
  it('runs fn once and returns its result, with any context', () => {
    const context = fc.oneof(
      cloneable,
      fc.record({
        traceparent: fc.oneof(
          cloneable,
          // Runs of a traceparent's pieces and separators: near-misses of its shape.
          fc
            .array(
              fc.constantFrom(
                '-',
                '--',
                ' ',
                '\t',
                '00',
                '01',
                'ff',
                'a'.repeat(32),
                'b'.repeat(16),
                '0'.repeat(16),
              ),
              { maxLength: 9 },
            )
            .map((parts) => parts.join('')),
          fc.constantFrom(
            `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
            `00-${'0'.repeat(32)}-${'b'.repeat(16)}-01`,
            `ff-${'a'.repeat(32)}-${'b'.repeat(16)}-01`,
            `00-${'a'.repeat(32)}-${'b'.repeat(16)}-00`,
          ),
        ),
        port: fc.oneof(
          cloneable,
          fc.constant({ postMessage: () => {} }),
          fc.constant({
            postMessage: () => {
              throw new Error('closed');
            },
          }),
        ),
      }),
    );
    fc.assert(
      fc.property(context, fc.oneof(fc.string(), cloneable), (given, name) => {
        let calls = 0;
        const result = traceInWorker(given as never, name as never, () => ++calls);
        expect(result).toBe(1);
        expect(calls).toBe(1);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 6. What a user sees: the exported trace
// ---------------------------------------------------------------------------------------------

describe('worker messages: the exported trace', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [] }));
  });
  afterAll(() => app.close());

  it('holds the valid spans as a tree, sane times, and the count of what was refused', async () => {
    const tracing = app.get(TracingService);
    let traceId = '';
    await tracing.withSpan('caller', () =>
      tracing.withWorkerContext(async (context) => {
        const port = context!.port;
        traceId = context!.traceparent.split('-')[1];
        const anchor = context!.traceparent.split('-')[2];
        const envelope = (spans: unknown[]) => ({ kind: WORKER_SPANS_KIND, traceId, spans });
        const late = epochNow() + 3 * DAY_MS;
        port.postMessage(
          envelope([
            wireSpan('a000000000000001', { parentSpanId: 'a000000000000002' }),
            wireSpan('a000000000000002', { parentSpanId: 'a000000000000001' }),
            wireSpan('a000000000000003', { startMs: -5, endMs: -1 }),
            wireSpan('a000000000000004', { startMs: late, endMs: late + 1 }),
            wireSpan('a000000000000005', { parentSpanId: 'a000000000000003' }),
            wireSpan(anchor),
            wireSpan('a000000000000001'),
          ]),
        );
        port.postMessage({ kind: WORKER_SPANS_KIND, traceId, spans: new Array(2 ** 30) });
        await new Promise((resolve) => setTimeout(resolve, 20));
      }),
    );
    const [trace] = await tracesAfter(exporter, 1);
    expect(trace.spans.map((span) => span.name)).toEqual(['caller', 'step', 'step', 'step']);
    expectATree(trace.spans);
    for (const span of trace.spans.slice(1)) {
      expect(span.parentSpanIdHex).toBe(
        span.spanIdHex === 'a000000000000002' ? 'a000000000000001' : trace.rootSpan.spanIdHex,
      );
      expect(span.startTimeNs).toBeGreaterThan(trace.rootSpan.startTimeNs - 1_000_000_000n);
    }
    expect(trace.metadata[WORKER_REJECTED_METADATA]).toBe(String(4 + 2 ** 30));
    // The MLflow encoding holds: times positive integers, parents present.
    const encoded = JSON.parse(encodeTracesJson(trace)) as {
      spans: { start_time_unix_nano: number }[];
    };
    expect(encoded.spans.every((span) => span.start_time_unix_nano > 0)).toBe(true);
  });
});
