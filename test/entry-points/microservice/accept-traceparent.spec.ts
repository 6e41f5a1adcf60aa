import type { INestApplication } from '@nestjs/common';
import { ClientProxyFactory, Transport, TcpContext, type ClientProxy } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import {
  InMemoryTraceExporter,
  MlflowTracingModule,
  propagateTraceContext,
  TracingService,
  type MlflowTracingOptions,
} from '../../../lib';
import { tracesAfter } from '../../interceptor/fixtures/http-app';
import { freePort } from '../fixtures/free-port';
import { ForecastHandler, ForecastModel } from './fixtures/forecast-apps';

async function startService(microservice: MlflowTracingOptions['entryPoints']) {
  const exporter = new InMemoryTraceExporter();
  const port = await freePort();
  const moduleRef = await Test.createTestingModule({
    imports: [MlflowTracingModule.forRoot({ exporter, entryPoints: microservice })],
    controllers: [ForecastHandler],
    providers: [ForecastModel],
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  app.connectMicroservice(
    { transport: Transport.TCP, options: { host: '127.0.0.1', port } },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.init();
  const client: ClientProxy = ClientProxyFactory.create({
    transport: Transport.TCP,
    options: { host: '127.0.0.1', port },
  });
  propagateTraceContext(client);
  return { app, exporter, client, tracing: app.get(TracingService) };
}

describe('accepting a traceparent on the receiving side', () => {
  let running: Awaited<ReturnType<typeof startService>> | undefined;
  afterEach(async () => {
    running?.client.close();
    await running?.app.close();
  });

  /** Sends from inside a span; the handler runs from the socket's events, outside that span's context. */
  async function callFromSpan() {
    const { client, tracing, exporter } = running!;
    let senderTraceId: string | undefined;
    await tracing.withSpan('sender', async () => {
      senderTraceId = tracing.getActiveTraceId();
      await firstValueFrom(client.send('forecast', { city: 'Rome' }));
    });
    const traces = await tracesAfter(exporter, 1);
    return { senderTraceId, traces };
  }

  it('ignores a traceparent by default: the handler starts its own trace', async () => {
    running = await startService({});
    const { exporter, client } = running;
    // Sent outside any span of this app; the header is forged by hand.
    client.setOnDispatchHook((packet) => {
      packet.metadata = { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` };
    });
    await firstValueFrom(client.send('forecast', { city: 'Rome' }));
    const [trace] = await tracesAfter(exporter, 1);
    expect(trace.rootSpan.name).toBe('RPC forecast');
    expect(trace.traceId).not.toBe(`tr-${'ab'.repeat(16)}`);
    expect(trace.remoteParentSpanIdHex).toBeNull();
  });

  it('lets a function decide per message, from the transport context', async () => {
    const seen: unknown[] = [];
    running = await startService({
      microservice: {
        acceptTraceparent: (context) => (seen.push(context), context instanceof TcpContext),
      },
    });
    running.client.setOnDispatchHook((packet) => {
      packet.metadata = { traceparent: `00-${'ab'.repeat(16)}-${'cd'.repeat(8)}-01` };
    });
    await firstValueFrom(running.client.send('forecast', { city: 'Rome' }));
    const [trace] = await tracesAfter(running.exporter, 1);
    expect(seen[0]).toBeInstanceOf(TcpContext);
    expect([trace.traceId, trace.remoteParentSpanIdHex]).toEqual([
      `tr-${'ab'.repeat(16)}`,
      'cd'.repeat(8),
    ]);
  });

  it('propagateTraceContext adds the active span to the packet metadata', async () => {
    running = await startService({ microservice: { acceptTraceparent: true } });
    const { traces, senderTraceId } = await callFromSpan();
    const handlerTrace = traces.find((trace) => trace.rootSpan.name === 'RPC forecast')!;
    expect(handlerTrace.traceId).toBe(senderTraceId);
  });
});
