import {
  Body,
  Controller,
  Get,
  Injectable,
  Param,
  Post,
  Query,
  type INestApplication,
} from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { inspect } from 'node:util';
import {
  MASKING_BUDGET_EXCEEDED,
  MASKING_TOO_DEEP,
  MaskingService,
  MlflowTracingModule,
  Trace,
  TracingService,
  type ExportStats,
  type MaskingStats,
  type MlflowTracingOptions,
} from '../../lib';
import {
  readTraceWithPython,
  runMlflowPython,
  searchTracesWithPython,
} from '../checks/mlflow-python';
import {
  createExperiment,
  getTraceInfo,
  getTraceWithSpans,
  searchTraces,
  waitFor,
  type RestTrace,
} from '../checks/mlflow-rest';
import { baseUrl } from '../interceptor/fixtures/http-app';

// An attacker's requests against a real Express app with the default masking rules; every trace
// is read back from the real MLflow server (REST and Python) and searched for the planted values.

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzK9Qm3Lx2p';
/** 40 chars of base64 (upper, lower, digits), under a key name no rule knows. */
const LONE_AWS_SECRET = 'Tq7Vb2Nc9Xm4Lk8Rz3Hw6Pd1Gf5Js0Ey2Ua7Ci9O';
const JWT_HEADER = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9';
const JWT = {
  spacePayload: 'eyJzdWIiOiJ1c2VyLTQ4MjEiLCJyb2xlIjoiYWRtaW4ifQ',
  spaceSignature: 'LvadEuUeuUbLo3uLT1tZY5UMG2Vr1YxRvLDISH3fWHA',
  newlinePayload: 'eyJzdWIiOiJ1c2VyLTkzNzciLCJzY29wZSI6ImJpbGxpbmcifQ',
  newlineSignature: 'K8sckdik_vms0svgLu5EzLiVCH7WR5DkCMz0fZ8jKcs',
  cutPayload: 'eyJzdWIiOiJ1c2VyLTUxNTAiLCJhdWQiOiJsZWRnZXIifQ',
  cutSignature: 'GWXIuywo9XqznK12Yc-QGwWflwHPZa2LvHvYZPHuCJA',
};

interface Planted {
  label: string;
  /** The value as text: a body field, a query value, a header value, a line of an error message. */
  text: string;
  /** Raw value and distinctive pieces: none may appear anywhere in a stored trace. */
  parts: string[];
}

const PLANTED: Planted[] = [
  {
    label: 'AWS secret assignment in prose',
    text: `rotate it: aws_secret_access_key=${AWS_SECRET} was in the log`,
    parts: [AWS_SECRET, 'wJalrXUtnFEMI', 'bPxRfiCYzK9Qm3Lx2p'],
  },
  {
    label: 'DATABASE_PASSWORD in prose',
    text: 'the deploy printed DATABASE_PASSWORD=S3cr3t-Pa55 and stopped',
    parts: ['S3cr3t-Pa55', 'S3cr3t'],
  },
  {
    label: 'util.inspect of { password }',
    text: inspect({ password: 'hunter2x' }),
    parts: ['hunter2'],
  },
  { label: 'Python dict repr', text: "{'password': 'hunter2x'}", parts: ['hunter2'] },
  { label: 'pass=', text: 'pass=hunter2y', parts: ['hunter2'] },
  { label: 'URL-encoded assignment', text: 'password%3Dhunter2z', parts: ['hunter2'] },
  { label: 'percent-encoded e-mail', text: 'kate%2Eu%40example%2Ecom', parts: ['kate'] },
  {
    label: 'JWT with a space after a dot',
    text: `${JWT_HEADER}. ${JWT.spacePayload}.${JWT.spaceSignature}`,
    parts: [JWT.spacePayload, JWT.spaceSignature],
  },
  {
    label: 'JWT with a newline after a dot',
    text: `${JWT_HEADER}.\n${JWT.newlinePayload}.${JWT.newlineSignature}`,
    parts: [JWT.newlinePayload, JWT.newlineSignature],
  },
  {
    label: 'JWT with a newline before its signature',
    text: `${JWT_HEADER}.${JWT.cutPayload}.\n${JWT.cutSignature}`,
    parts: [JWT.cutPayload, JWT.cutSignature],
  },
  {
    label: 'amqp URL with a slash in its password',
    text: 'amqp://guest:pa/ss@rabbit.internal',
    parts: ['pa/ss'],
  },
  {
    label: 'AWS secret under an ordinary key',
    text: inspect({ value: LONE_AWS_SECRET }),
    parts: [LONE_AWS_SECRET],
  },
  { label: 'US SSN', text: 'applicant 078-05-1120 approved', parts: ['078-05-1120'] },
];

/** The text of the Uint8Array a traced method receives. */
const BYTES_TEXT = 'mail kate.u@example.com';
const ALL_PARTS = [...new Set(PLANTED.flatMap((planted) => planted.parts))];

/** Values next to the secrets that must survive intact. */
const CONTROLS = {
  order: 'order 4111111111111112', // Visa-shaped, fails Luhn
  uuid: '123e4567-e89b-42d3-a456-426614174000',
  timestamp: '2024-01-15T10:30:00.000Z',
  maxTokens: 'max_tokens=100',
  version: 'version 2.14.3',
};
const CONTROL_VALUES = Object.values(CONTROLS);
const CONTROL_TEXT = CONTROL_VALUES.join(', ');

@Injectable()
class AttackTools {
  @Trace('TOOL')
  readBytes(bytes: Uint8Array): number {
    return bytes.length;
  }

  @Trace('TOOL')
  callUpstream(request: string): never {
    throw new Error(`upstream rejected the call:\n${request}\ncontext: ${CONTROL_TEXT}`);
  }
}

@Controller('attack')
class AttackController {
  constructor(
    private readonly tools: AttackTools,
    private readonly tracing: TracingService,
  ) {}

  @Post('body')
  body(@Body() body: unknown) {
    this.tag('planted');
    this.tools.readBytes(new TextEncoder().encode(BYTES_TEXT));
    return { echo: body };
  }

  @Get('query')
  query(@Query() query: unknown) {
    this.tag('planted');
    return { echo: query };
  }

  @Get('whoami')
  whoami() {
    this.tag('planted');
    return { ok: true };
  }

  @Get('fail/:index')
  fail(@Param('index') index: string): never {
    this.tag('planted');
    this.tools.callUpstream(PLANTED[Number(index)].text);
  }

  @Post('hostile')
  hostile(@Body() body: Record<string, unknown>) {
    this.tag('hostile');
    return { fields: Object.keys(body).length };
  }

  private tag(name: string): void {
    this.tracing.updateCurrentTrace({ tags: { attack_case: name } });
  }
}

@Controller()
class PingController {
  @Get('ping')
  ping() {
    return 'pong';
  }
}

let experimentId: string;

async function start(options: Partial<MlflowTracingOptions> = {}) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      MlflowTracingModule.forRoot({
        trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
        experimentId,
        export: { scheduledDelayMs: 50 },
        // Long strings reach masking whole (the default cuts them at 10,000 chars first).
        serialization: { maxStringLength: 1_100_000 },
        ...options,
      }),
    ],
    controllers: [AttackController, PingController],
    providers: [AttackTools],
  }).compile();
  const app = moduleRef.createNestApplication<NestExpressApplication>({ logger: false });
  app.useBodyParser('json', { limit: '2mb' });
  await app.listen(0, '127.0.0.1');
  return { app, url: await baseUrl(app) };
}

function storedTrace(traceId: string, spanCount: number): Promise<RestTrace> {
  return waitFor(async () => {
    const trace = await getTraceWithSpans(traceId);
    return trace.spans.length >= spanCount && trace.trace_info.request_time ? trace : undefined;
  });
}

/** Sends a request; returns its status and the id of its trace. */
async function send(
  url: string,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; traceId: string }> {
  const response = await fetch(`${url}${path}`, init);
  await response.text();
  const traceId = response.headers.get('x-mlflow-trace-id');
  if (!traceId) throw new Error(`${path}: no x-mlflow-trace-id header (${response.status})`);
  return { status: response.status, traceId };
}

const postJson = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** `%XX` runs decoded (a run that is not UTF-8 stays), `+` as a space. */
function urlDecoded(text: string): string {
  return text.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

function parsedJson(text: string): unknown {
  const trimmed = text.trim();
  if (!/^[[{]/.test(trimmed)) return undefined;
  try {
    return JSON.parse(trimmed);
  } catch {
    return undefined;
  }
}

/** Serialized bytes (`{ type: 'Uint8Array', data }`, `{ type: 'Buffer', base64 }`) as text. */
function bytesText(value: Record<string, unknown>): string | undefined {
  if (value.type === 'Buffer' && typeof value.base64 === 'string')
    return Buffer.from(value.base64, 'base64').toString('latin1');
  if (typeof value.type === 'string' && Array.isArray(value.data)) {
    const bytes = value.data.filter((byte): byte is number => typeof byte === 'number');
    if (
      bytes.length > 0 &&
      bytes.every((byte) => Number.isInteger(byte) && byte >= 0 && byte < 256)
    )
      return Buffer.from(bytes).toString('latin1');
  }
  return undefined;
}

const short = (text: string, max = 40) => (text.length > max ? `${text.slice(0, max)}…` : text);

/**
 * Every string of a stored trace with where it sits: values and keys, the JSON inside strings
 * (MLflow keeps inputs, outputs and attributes as JSON text), and serialized bytes decoded.
 */
function textsOf(root: unknown): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  const stack: { value: unknown; path: string }[] = [{ value: root, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'string') {
      out.push({ path, text: value });
      const parsed = parsedJson(value);
      if (parsed !== undefined) stack.push({ value: parsed, path: `${path}<json>` });
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const bytes = bytesText(value as Record<string, unknown>);
    if (bytes !== undefined) out.push({ path: `${path}<bytes>`, text: bytes });
    for (const [key, child] of Object.entries(value)) {
      const childPath = Array.isArray(value) ? `${path}[${key}]` : `${path}.${short(key)}`;
      out.push({ path: `${childPath}<key>`, text: key });
      stack.push({ value: child, path: childPath });
    }
  }
  return out;
}

interface Leak {
  trace: string;
  reader: string;
  path: string;
  part: string;
  excerpt: string;
}

/** Where any of `parts` appears in the stored trace, as written, URL-decoded once or twice. */
function leaksIn(stored: unknown, parts: string[], trace: string, reader: string): Leak[] {
  const leaks: Leak[] = [];
  for (const { path, text } of textsOf(stored)) {
    const once = urlDecoded(text);
    const variants = [text, once, urlDecoded(once)];
    for (const part of parts) {
      const variant = variants.find((candidate) => candidate.includes(part));
      if (variant === undefined) continue;
      const at = variant.indexOf(part);
      const excerpt = JSON.stringify(variant.slice(Math.max(0, at - 50), at + part.length + 30));
      leaks.push({ trace, reader, path, part, excerpt });
    }
  }
  return leaks;
}

/** All strings of a stored trace, joined (for what must be there). */
const allText = (stored: unknown) =>
  textsOf(stored)
    .map(({ text }) => text)
    .join('\n');

/** `mlflow.get_trace` for each id in one Python process: `Trace.to_dict()`, everything MLflow holds. */
async function getTracesWithPython(traceIds: string[]): Promise<Record<string, unknown>> {
  const script = [
    'import json, logging, sys',
    'out, sys.stdout = sys.stdout, sys.stderr',
    'logging.getLogger("mlflow").setLevel(logging.ERROR)',
    'import mlflow',
    'traces = {}',
    'for trace_id in sys.argv[1:]:',
    '    trace = mlflow.get_trace(trace_id, silent=True)',
    '    traces[trace_id] = None if trace is None else trace.to_dict()',
    'out.write(json.dumps(traces, default=str))',
  ].join('\n');
  return JSON.parse(await runMlflowPython(['-c', script, ...traceIds])) as Record<string, unknown>;
}

function noDrops(stats: ExportStats | undefined): void {
  expect(stats).toBeDefined();
  // Every reason there is, whatever reasons are added later.
  expect(Object.entries(stats!.dropped).filter(([, count]) => count !== 0)).toEqual([]);
}

/** After the traces are stored: masking and export counted all of them, and dropped none. */
async function expectCounted(
  app: INestApplication,
  before: { masking: MaskingStats; exported: number },
  traces: number,
): Promise<void> {
  const tracing = app.get(TracingService);
  await tracing.flush(30_000);
  const masking = app.get(MaskingService);
  await waitFor(async () =>
    masking.getStats().maskedTraces >= before.masking.maskedTraces + traces ? true : undefined,
  );
  expect(masking.getStats().maskedTraces - before.masking.maskedTraces).toBe(traces);
  const stats = tracing.getExportStats();
  noDrops(stats);
  expect(stats!.exported - before.exported).toBe(traces);
  expect(stats!.pending).toBe(0);
}

function countersOf(app: INestApplication) {
  return {
    masking: app.get(MaskingService).getStats(),
    exported: app.get(TracingService).getExportStats()?.exported ?? 0,
  };
}

beforeAll(async () => {
  experimentId = await createExperiment(`masking-attack-${Date.now()}`);
});

describe('an attacker against an app with default masking', () => {
  let app: INestApplication;
  let url: string;
  beforeAll(async () => ({ app, url } = await start()));
  afterAll(() => app.close());

  describe('planted secrets in body, query, headers and thrown errors', () => {
    /** What was sent, with the controls that must be found in its trace. */
    const sent: { label: string; traceId: string; spans: number; controls: string[] }[] = [];
    const rest = new Map<string, RestTrace>();
    let before: ReturnType<typeof countersOf>;

    beforeAll(async () => {
      before = countersOf(app);
      const body = {
        notes: Object.fromEntries(PLANTED.map((planted, i) => [`note${i}`, planted.text])),
        transcript: PLANTED.map((planted) => planted.text).join('\n'),
        aws: { value: LONE_AWS_SECRET },
        controls: { ...CONTROLS, all: CONTROL_TEXT },
      };
      const posted = await send(url, '/attack/body', postJson(body));
      expect(posted.status).toBe(201);
      sent.push({ label: 'body', traceId: posted.traceId, spans: 2, controls: CONTROL_VALUES });

      // Each value encoded (arrives as written) and, where a URL can carry it, raw.
      const query = new URLSearchParams();
      PLANTED.forEach((planted, i) => query.append(`p${i}`, planted.text));
      query.append('value', LONE_AWS_SECRET);
      CONTROL_VALUES.forEach((control, i) => query.append(`c${i}`, control));
      const raw = PLANTED.filter((planted) => /^[!-~]+$/.test(planted.text))
        .map((planted, i) => `raw${i}=${planted.text.replace(/[&#+]/g, encodeURIComponent)}`)
        .concat(`aws_secret_access_key=${AWS_SECRET}`, 'DATABASE_PASSWORD=S3cr3t-Pa55');
      const queried = await send(url, `/attack/query?${query}&${raw.join('&')}`);
      expect(queried.status).toBe(200);
      sent.push({ label: 'query', traceId: queried.traceId, spans: 1, controls: CONTROL_VALUES });

      // The headers the app records: user, session and request id (newlines cannot be sent).
      for (const planted of PLANTED.filter((p) => !/[\r\n]/.test(p.text))) {
        const { status, traceId } = await send(url, '/attack/whoami', {
          headers: {
            'x-user-id': planted.text,
            'x-session-id': planted.text,
            'x-request-id': planted.text,
          },
        });
        expect(status).toBe(200);
        sent.push({ label: `headers: ${planted.label}`, traceId, spans: 1, controls: [] });
      }
      const controlHeaders = await send(url, '/attack/whoami', {
        headers: {
          'x-user-id': CONTROLS.order,
          'x-session-id': CONTROLS.uuid,
          'x-request-id': CONTROLS.timestamp,
        },
      });
      sent.push({
        label: 'headers: controls',
        traceId: controlHeaders.traceId,
        spans: 1,
        controls: [CONTROLS.order, CONTROLS.uuid, CONTROLS.timestamp],
      });

      for (const [i, planted] of PLANTED.entries()) {
        const { status, traceId } = await send(url, `/attack/fail/${i}`);
        expect(status).toBe(500);
        sent.push({
          label: `thrown: ${planted.label}`,
          traceId,
          spans: 2,
          controls: CONTROL_VALUES,
        });
      }

      await app.get(TracingService).flush();
      for (const { traceId, spans } of sent) rest.set(traceId, await storedTrace(traceId, spans));
    });

    it('stores every trace, state as the request answered, and drops none', async () => {
      for (const { label, traceId } of sent) {
        const state = rest.get(traceId)!.trace_info.state;
        expect({ label, state }).toEqual({
          label,
          state: label.startsWith('thrown') ? 'ERROR' : 'OK',
        });
      }
      await expectCounted(app, before, sent.length);
    });

    it('leaves no planted value in any trace read with the REST API', () => {
      const leaks = sent.flatMap(({ label, traceId }) =>
        leaksIn(rest.get(traceId), ALL_PARTS, label, 'REST traces/get'),
      );
      expect(leaks).toEqual([]);
    });

    it('leaves no planted value in any trace read with mlflow.get_trace', async () => {
      const python = await getTracesWithPython(sent.map(({ traceId }) => traceId));
      const leaks = sent.flatMap(({ label, traceId }) => {
        expect(python[traceId]).toBeTruthy();
        return leaksIn(python[traceId], ALL_PARTS, label, 'python get_trace');
      });
      expect(leaks).toEqual([]);

      // The project's own reader: the bytes a traced method got are stored masked, as bytes.
      const body = await readTraceWithPython(sent[0].traceId);
      const bytesSpan = body.spans.find((span) => span.name.includes('readBytes'))!;
      const bytes = (bytesSpan.inputs as { bytes: Record<string, unknown> }).bytes;
      expect(bytesText(bytes)).toBe('mail [REDACTED]');
      expect((body.spans[0].inputs as { body: { aws: unknown } }).body.aws).toEqual({
        value: '[REDACTED]',
      });
    });

    it('keeps the controls intact', () => {
      const missing = sent.flatMap(({ label, traceId, controls }) => {
        const text = allText(rest.get(traceId));
        return controls.filter((control) => !text.includes(control)).map((c) => `${label}: ${c}`);
      });
      expect(missing).toEqual([]);
      const info = rest.get(sent.find((s) => s.label === 'headers: controls')!.traceId)!.trace_info;
      expect(info.trace_metadata?.['mlflow.trace.user']).toBe(CONTROLS.order);
      expect(info.trace_metadata?.['mlflow.trace.session']).toBe(CONTROLS.uuid);
      expect(info.client_request_id).toBe(CONTROLS.timestamp);
    });

    it('finds the traces with search_traces and a filter', async () => {
      const filter = "tags.attack_case = 'planted'";
      const ids = sent.map(({ traceId }) => traceId).sort();
      expect((await searchTracesWithPython(experimentId, filter)).sort()).toEqual(ids);
      expect((await searchTraces(experimentId, filter)).map((t) => t.trace_id).sort()).toEqual(ids);
    });
  });

  it('stores hostile bodies masked, never dropped', async () => {
    const before = countersOf(app);
    const keysJson = JSON.stringify(
      Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}@ex.com`, i])),
    );
    const bodies: Record<string, Record<string, unknown>> = {
      deep: { deep: '['.repeat(4500) + ']'.repeat(4500) },
      encodedAts: { blob: '%40+'.repeat(25_000) },
      schemeKey: { [' ://' + 'a.'.repeat(50_000)]: 'x' },
      emailKeys: { keys: keysJson },
    };
    const traces: Record<string, string> = {};
    for (const [name, body] of Object.entries(bodies)) {
      const { status, traceId } = await send(url, '/attack/hostile', postJson(body));
      expect({ name, status }).toEqual({ name, status: 201 });
      traces[name] = traceId;
    }
    await app.get(TracingService).flush();
    for (const [name, traceId] of Object.entries(traces)) {
      const stored = await storedTrace(traceId, 1);
      expect({ name, state: stored.trace_info.state }).toEqual({ name, state: 'OK' });
      expect(leaksIn(stored, ['@ex.com'], name, 'REST traces/get')).toEqual([]);
    }
    await expectCounted(app, before, Object.keys(bodies).length);
    expect(app.get(MaskingService).getStats().tooDeep).toBeGreaterThan(before.masking.tooDeep);

    const deep = await readTraceWithPython(traces.deep);
    const stored = (deep.spans[0].inputs as { body: { deep: string } }).body.deep;
    expect(typeof stored).toBe('string');
    expect(stored).toContain(MASKING_TOO_DEEP);
    expect(deep.info.state).toBe('OK');
  });

  it('answers pings while a 1 MB body is masked, and stores its trace', async () => {
    const before = countersOf(app);
    const big = { text: 'write to lee.ann@example.com today; '.repeat(29_000) };
    const latencies: number[] = [];
    let pingsSent = 0;
    let pingsDuringMasking = 0;
    let answeredAt: number | undefined;
    let stored = false;
    const pinger = async () => {
      while (!stored) {
        pingsSent++;
        const started = performance.now();
        const response = await fetch(`${url}/ping`);
        expect(response.status).toBe(200);
        expect(await response.text()).toBe('pong');
        latencies.push(performance.now() - started);
        if (answeredAt !== undefined && !stored) pingsDuringMasking++;
      }
    };
    const pingers = [pinger(), pinger(), pinger()];
    let traceId: string;
    try {
      const posted = await send(url, '/attack/hostile', postJson(big));
      answeredAt = performance.now();
      expect(posted.status).toBe(201);
      traceId = posted.traceId;
      await waitFor(() => getTraceInfo(traceId), { timeoutMs: 30_000, intervalMs: 100 });
    } finally {
      stored = true;
    }
    await Promise.all(pingers);
    const storedAt = performance.now();
    expect(latencies).toHaveLength(pingsSent);

    const trace = await storedTrace(traceId, 1);
    expect(trace.trace_info.state).toBe('OK');
    expect(leaksIn(trace, ['lee.ann'], 'one megabyte', 'REST traces/get')).toEqual([]);
    await expectCounted(app, before, 1 + pingsSent);
    console.log(
      `pings: ${pingsSent} answered, max latency ${Math.max(...latencies).toFixed(1)} ms, ` +
        `${pingsDuringMasking} between the 1 MB answer and its trace in MLflow ` +
        `(${(storedAt - answeredAt!).toFixed(0)} ms)`,
    );
  });
});

describe('an app with a small masking budget', () => {
  it('stores a 50 KB body with the budget marker, never its e-mail', async () => {
    const { app, url } = await start({ masking: { budgetPerTrace: 5_000 } });
    try {
      const before = countersOf(app);
      const text = `${'the quarterly report is attached. '.repeat(1500)}reply to late.reply@example.org thanks`;
      expect(text.length).toBeGreaterThan(50_000);
      const { status, traceId } = await send(url, '/attack/hostile', postJson({ text }));
      expect(status).toBe(201);
      await app.get(TracingService).flush();
      const rest = await storedTrace(traceId, 1);
      const python = await readTraceWithPython(traceId);
      for (const [reader, stored] of [
        ['REST traces/get', rest],
        ['python get_trace', python],
      ] as const) {
        expect(allText(stored)).toContain(MASKING_BUDGET_EXCEEDED);
        expect(leaksIn(stored, ['late.reply', '@example.org'], 'budget', reader)).toEqual([]);
      }
      await expectCounted(app, before, 1);
      expect(app.get(MaskingService).getStats().budgetExceeded).toBeGreaterThanOrEqual(1);
    } finally {
      await app.close();
    }
  });
});
