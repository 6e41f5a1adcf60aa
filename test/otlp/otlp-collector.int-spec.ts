import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import http from 'node:http';
import protobuf from 'protobufjs';
import { MlflowTracingModule, TracingService, type MlflowTracingOptions } from '../../lib';
import { readExperiment } from '../export/fixtures/fault-app';

const uri = () => process.env.MLFLOW_TEST_TRACKING_URI as string;

// The OTLP trace messages this test reads, field numbers from opentelemetry-proto's trace.proto.
const OTLP_PROTO = `
syntax = "proto3";
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message Resource { repeated KeyValue attributes = 1; }
message Scope { string name = 1; }
message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; Status status = 15;
}
message ScopeSpans { Scope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
`;
const Request = protobuf
  .parse(OTLP_PROTO, { keepCase: true })
  .root.lookupType('ExportTraceServiceRequest');

interface DecodedSpan {
  traceId: string;
  name: string;
  parent: string;
  attributes: Record<string, unknown>;
  service: unknown;
}

/** A collector-like OTLP/HTTP receiver: decodes each protobuf request it gets. */
class OtlpReceiver {
  readonly spans: DecodedSpan[] = [];
  readonly headers: http.IncomingHttpHeaders[] = [];
  private server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      this.headers.push(req.headers);
      const request = Request.toObject(Request.decode(Buffer.concat(chunks)), {
        bytes: String,
        longs: String,
      }) as {
        resource_spans: {
          resource: { attributes: { key: string; value: Record<string, unknown> }[] };
          scope_spans: {
            spans: {
              trace_id: string;
              name: string;
              parent_span_id?: string;
              attributes?: { key: string; value: Record<string, unknown> }[];
            }[];
          }[];
        }[];
      };
      for (const resourceSpans of request.resource_spans) {
        const resource = valuesOf(resourceSpans.resource.attributes);
        for (const scope of resourceSpans.scope_spans) {
          for (const span of scope.spans) {
            this.spans.push({
              traceId: Buffer.from(span.trace_id, 'base64').toString('hex'),
              name: span.name,
              parent: Buffer.from(span.parent_span_id ?? '', 'base64').toString('hex'),
              attributes: valuesOf(span.attributes ?? []),
              service: resource['service.name'],
            });
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as { port: number }).port}/v1/traces`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

type DecodedValue = Record<string, unknown>;
type DecodedKeyValue = { key: string; value: DecodedValue };

function plain(value: DecodedValue): unknown {
  const array = value.array_value as { values?: DecodedValue[] } | undefined;
  if (array) return (array.values ?? []).map(plain);
  const kvlist = value.kvlist_value as { values?: DecodedKeyValue[] } | undefined;
  if (kvlist) return valuesOf(kvlist.values ?? []);
  return value.string_value ?? value.bool_value ?? value.int_value ?? value.double_value;
}

function valuesOf(list: DecodedKeyValue[]): Record<string, unknown> {
  return Object.fromEntries(list.map(({ key, value }) => [key, plain(value)]));
}

async function boot(options: MlflowTracingOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      MlflowTracingModule.forRoot({ trackingUri: uri(), serviceName: 'otlp-test', ...options }),
    ],
  }).compile();
  return moduleRef.createNestApplication({ logger: ['error'] }).init();
}

async function oneTrace(tracing: TracingService, question: string): Promise<string> {
  return tracing.withSpan({ name: 'agent', inputs: { question } }, async () => {
    tracing.withSpan({ name: 'llm', spanType: 'LLM' }, () => 'answer');
    return tracing.getActiveTraceId()!;
  });
}

describe('OTLP/HTTP to a collector', () => {
  let receiver: OtlpReceiver;
  let endpoint: string;
  beforeEach(async () => {
    receiver = new OtlpReceiver();
    endpoint = await receiver.start();
  });
  afterEach(() => receiver.close());

  it('follows OTEL_EXPORTER_OTLP_TRACES_ENDPOINT/_HEADERS: the collector alone gets the spans, with the headers', async () => {
    const experimentName = `otlp-alone-${Date.now()}`;
    const saved = { ...process.env };
    process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT = endpoint;
    process.env.OTEL_EXPORTER_OTLP_TRACES_HEADERS = 'authorization=Bearer%20s3cret,x-tenant=acme';
    let app: INestApplication;
    try {
      app = await boot({ experimentName });
    } finally {
      process.env = saved;
    }
    const tracing = app.get(TracingService);
    const traceId = await oneTrace(tracing, 'to the collector?');
    await tracing.flush(20_000);
    expect(tracing.getExportStats()).toMatchObject({ exported: 1, pending: 0 });

    const hex = traceId.slice('tr-'.length);
    const spans = receiver.spans.filter((span) => span.traceId === hex);
    expect(spans.map((span) => span.name).sort()).toEqual(['agent', 'llm']);
    const root = spans.find((span) => span.name === 'agent')!;
    expect(root).toMatchObject({ parent: '', service: 'otlp-test' });
    expect(root.attributes['mlflow.spanInputs']).toEqual({ question: 'to the collector?' });
    expect(spans.find((span) => span.name === 'llm')!.parent).not.toBe('');
    expect(receiver.headers[0]).toMatchObject({
      authorization: 'Bearer s3cret',
      'x-tenant': 'acme',
      'content-type': 'application/x-protobuf',
    });
    // Not mirrored: MLflow has no trace in the experiment (which may not even exist).
    const lookup = await fetch(
      `${uri()}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experimentName}`,
    );
    if (lookup.ok) expect(await readExperiment(uri(), experimentName)).toEqual({});
    else expect(lookup.status).toBe(404);
    await app.close();
  });

  it('mirrors next to MLflow with dualExport: both have the trace, each destination counted', async () => {
    const experimentName = `otlp-dual-${Date.now()}`;
    const app = await boot({
      experimentName,
      otlp: { endpoint, headers: { 'x-api-key': 'k' }, dualExport: true },
    });
    const tracing = app.get(TracingService);
    const traceId = await oneTrace(tracing, 'to both?');
    await tracing.flush(20_000);

    const stats = tracing.getExportStats()!;
    expect(stats).toMatchObject({ exported: 1, pending: 0 });
    expect(Object.keys(stats.destinations!)).toEqual([
      `MLflow at ${uri()}`,
      `the OTLP collector at ${endpoint}`,
    ]);
    expect(Object.values(stats.destinations!).map((s) => s.exported)).toEqual([1, 1]);
    expect(receiver.headers[0]['x-api-key']).toBe('k');
    expect(receiver.spans.filter((span) => span.traceId === traceId.slice(3))).toHaveLength(2);
    const stored = await readExperiment(uri(), experimentName);
    expect(stored[traceId]).toMatchObject({ spans: 2, span_names: ['agent', 'llm'] });
    await app.close();
  });
});
