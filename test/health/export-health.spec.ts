import { Controller, Get, Module } from '@nestjs/common';
import { HealthCheck, HealthCheckService, TerminusModule } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import net from 'node:net';
import { ExportHealthIndicator, MlflowTracingModule, TracingService } from '../../lib';
import type { ExportStats } from '../../lib';
import { NO_DROPS } from '../../lib/export';
import type { ResolvedTracingOptions } from '../../lib/options/resolved-tracing-options';

@Controller('health')
class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly exportHealth: ExportHealthIndicator,
  ) {}

  @Get()
  @HealthCheck()
  check() {
    return this.health.check([() => this.exportHealth.isHealthy('mlflow-tracing')]);
  }
}

describe('ExportHealthIndicator with @nestjs/terminus', () => {
  it('reports up while delivering and down, with the cause, while delivery is stopped', async () => {
    let reachable = true;
    // A stand-in MLflow: answers OTLP and StartTraceV3 while reachable, resets connections after.
    const server = net.createServer((socket) => {
      if (!reachable) return socket.destroy();
      // One answer per connection: a request may arrive in several chunks.
      socket.once('data', () =>
        socket.end(
          'HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}',
        ),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;

    @Module({
      imports: [
        TerminusModule.forRoot({ logger: false }),
        MlflowTracingModule.forRoot({
          trackingUri: `http://127.0.0.1:${port}`,
          experimentId: '1',
          http: { exclude: ['/health'] },
          export: { retryInitialDelayMs: 20, retryMaxDelayMs: 50, shutdownTimeoutMs: 200 },
        }),
      ],
      controllers: [HealthController],
    })
    class AppModule {}

    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const url = `${await app.getUrl()}/health`;
    const tracing = app.get(TracingService);
    try {
      tracing.withSpan('ok', () => 1);
      await tracing.flush(5000);
      const up = await fetch(url);
      expect(up.status).toBe(200);
      expect(await up.json()).toMatchObject({
        status: 'ok',
        info: { 'mlflow-tracing': { status: 'up', exported: 1, circuit: 'closed' } },
      });

      reachable = false;
      tracing.withSpan('lost?', () => 2);
      await tracing.flush(500);
      const down = await fetch(url);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        status: 'error',
        error: {
          'mlflow-tracing': {
            status: 'down',
            problems: ['delivery stopped: the destination does not answer'],
            circuit: 'open',
            pending: 1, // queued, or in flight as the probe
          },
        },
      });
    } finally {
      reachable = true;
      await app.close();
      server.close();
    }
  });
});

describe('ExportHealthIndicator drops', () => {
  it('names each reason dropped since the last check, aborted_unknown as an unknown outcome', () => {
    let stats: ExportStats = {
      exported: 3,
      dropped: { ...NO_DROPS },
      pending: 0,
      circuit: 'closed',
    };
    const tracing = { getExportStats: () => stats } as unknown as TracingService;
    const options = { export: { maxQueueSize: 100 } } as unknown as ResolvedTracingOptions;
    const indicator = new ExportHealthIndicator(tracing, options);
    expect(indicator.isHealthy('t').t.status).toBe('up');
    stats = { ...stats, dropped: { ...NO_DROPS, queue_full: 2, aborted_unknown: 1 } };
    expect(indicator.isHealthy('t').t.problems).toEqual([
      '3 trace(s) dropped since the last check (queue_full 2, aborted_unknown 1: outcome unknown)',
    ]);
    expect(indicator.isHealthy('t').t.status).toBe('up');
  });
});
