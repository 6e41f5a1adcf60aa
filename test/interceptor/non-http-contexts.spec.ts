import { Controller, Injectable, type INestApplication } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import {
  ClientProxyFactory,
  EventPattern,
  MessagePattern,
  Payload,
  RpcException,
  Transport,
  type ClientProxy,
} from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { createServer } from 'node:net';
import { firstValueFrom, lastValueFrom, of } from 'rxjs';
import {
  InMemoryTraceExporter,
  MlflowTracingInterceptor,
  MlflowTracingModule,
  SpanType,
  Trace,
  TraceRoute,
} from '../../lib';
import { settle, tracesAfter } from './fixtures/http-app';

@Injectable()
class Calculator {
  @Trace(SpanType.TOOL)
  add(values: number[]): number {
    return values.reduce((sum, value) => sum + value, 0);
  }
}

@Controller()
class MathController {
  constructor(private readonly calculator: Calculator) {}

  @MessagePattern('sum')
  sum(@Payload() values: number[]) {
    return this.calculator.add(values);
  }

  @MessagePattern({ cmd: 'divide' })
  @TraceRoute({ spanType: SpanType.TOOL })
  divide(@Payload() [a, b]: [number, number]) {
    if (b === 0) throw new RpcException('division by zero');
    return a / b;
  }

  @EventPattern('audit')
  audit(@Payload() _entry: unknown) {}
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

describe('contexts other than HTTP', () => {
  let app: INestApplication;
  let client: ClientProxy;
  const exporter = new InMemoryTraceExporter();

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot({ exporter })],
      controllers: [MathController],
      providers: [Calculator],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    const port = await freePort();
    app.connectMicroservice(
      { transport: Transport.TCP, options: { host: '127.0.0.1', port } },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    await app.init();
    client = ClientProxyFactory.create({
      transport: Transport.TCP,
      options: { host: '127.0.0.1', port },
    });
    await client.connect();
  });
  afterAll(async () => {
    await client.close();
    await app.close();
  });
  beforeEach(() => exporter.reset());

  it("names a message handler's span `RPC <pattern>` and nests its @Trace spans under it", async () => {
    expect(await firstValueFrom(client.send('sum', [1, 2, 3]))).toBe(6);
    const [trace] = await tracesAfter(exporter, 1);
    const [root, child] = trace.spans;
    expect([root.name, root.spanType, root.inputs, root.outputs]).toEqual([
      'RPC sum',
      'CHAIN',
      [1, 2, 3],
      6,
    ]);
    expect(root.attributes['rpc.method']).toBe('sum');
    expect([child.name, child.parentSpanIdHex]).toEqual(['Calculator.add', root.spanIdHex]);
  });

  it('records a failing handler as ERROR, with object patterns as JSON and @TraceRoute applied', async () => {
    await expect(firstValueFrom(client.send({ cmd: 'divide' }, [1, 0]))).rejects.toMatchObject({
      message: 'division by zero',
    });
    const [trace] = await tracesAfter(exporter, 1);
    expect([trace.rootSpan.name, trace.rootSpan.spanType, trace.state]).toEqual([
      'RPC {"cmd":"divide"}',
      'TOOL',
      'ERROR',
    ]);
    expect(trace.rootSpan.statusMessage).toBe('RpcException: division by zero');
  });

  it("names an event handler's span `EVENT <pattern>`", async () => {
    await lastValueFrom(client.emit('audit', { who: 'ann' }));
    const [trace] = await tracesAfter(exporter, 1);
    expect([trace.rootSpan.name, trace.rootSpan.inputs]).toEqual(['EVENT audit', { who: 'ann' }]);
  });

  it('passes a GraphQL resolver outside any operation, and unknown context types, through untouched', async () => {
    const interceptor = app.get(MlflowTracingInterceptor);
    for (const type of ['graphql', 'custom']) {
      const context = new ExecutionContextHost(
        [{}, {}, {}, {}],
        MathController,
        MathController.prototype.sum,
      );
      context.setType(type);
      const result = { answer: type };
      await expect(
        firstValueFrom(interceptor.intercept(context, { handle: () => of(result) })),
      ).resolves.toBe(result);
    }
    await settle();
    expect(exporter.getTraces()).toHaveLength(0);
  });
});
