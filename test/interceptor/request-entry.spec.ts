import {
  Controller,
  Get,
  Injectable,
  Module,
  type MiddlewareConsumer,
  type NestMiddleware,
  type NestModule,
} from '@nestjs/common';
import { Trace } from '../../lib';
import { type RunningApp, settle, startApp, tracesAfter } from './fixtures/http-app';

@Injectable()
class Auditor {
  @Trace()
  note(path: string): string {
    return `seen ${path}`;
  }
}

@Injectable()
class AuditMiddleware implements NestMiddleware {
  constructor(private readonly auditor: Auditor) {}

  use(request: { url?: string }, _response: unknown, next: () => void): void {
    this.auditor.note(request.url ?? '');
    next();
  }
}

@Controller()
class PingController {
  @Get('ping')
  ping(): string {
    return 'pong';
  }
}

@Module({ providers: [Auditor, AuditMiddleware] })
class AuditModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(AuditMiddleware).forRoutes('{*path}');
  }
}

const app = { imports: [AuditModule], controllers: [PingController] };

describe('where the root span opens, relative to Nest middleware', () => {
  let running: RunningApp;
  afterEach(() => running.app.close());

  it('Express: ahead of every Nest middleware, whose spans nest under the request', async () => {
    running = await startApp('express', app);
    expect(await (await fetch(`${running.url}/ping`)).text()).toBe('pong');
    const [trace] = await tracesAfter(running.exporter, 1);
    await settle(20);
    expect(running.exporter.getTraces()).toHaveLength(1);
    expect(trace.spans.map((span) => span.name)).toEqual(['GET /ping', 'Auditor.note']);
    expect(trace.spans[1].parentSpanIdHex).toBe(trace.rootSpan.spanIdHex);
  });

  it('Fastify: in an onRequest hook after Nest middleware (middie), whose spans are traces of their own', async () => {
    running = await startApp('fastify', app);
    expect(await (await fetch(`${running.url}/ping`)).text()).toBe('pong');
    await tracesAfter(running.exporter, 2);
    await settle(20);
    const names = running.exporter.getTraces().map((trace) => trace.spans.map((s) => s.name));
    expect(names).toEqual([['Auditor.note'], ['GET /ping']]);
  });
});
