import { EventEmitter2, EventEmitterModule } from '@nestjs/event-emitter';
import { Test } from '@nestjs/testing';
import {
  InMemoryTraceExporter,
  LINKED_TRACE_METADATA,
  MlflowTracingModule,
  TracingService,
  type MlflowTracingOptions,
} from '../../../lib';
import { settle, tracesAfter } from '../../interceptor/fixtures/http-app';
import { OrderListeners } from './fixtures/orders';

async function start(options: MlflowTracingOptions = {}) {
  const exporter = new InMemoryTraceExporter();
  const moduleRef = await Test.createTestingModule({
    imports: [MlflowTracingModule.forRoot({ exporter, ...options }), EventEmitterModule.forRoot()],
    providers: [OrderListeners],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app, exporter, events: app.get(EventEmitter2), tracing: app.get(TracingService) };
}

describe('event listener spans outside a live trace', () => {
  it('an event emitted outside any trace starts one trace per listener call', async () => {
    const { app, exporter, events } = await start();
    events.emit('order.placed', { id: 'lonely' });
    const traces = await tracesAfter(exporter, 2);
    expect(traces.map((trace) => trace.rootSpan.name).sort()).toEqual([
      'OrderListeners.audit',
      'OrderListeners.notify',
    ]);
    await app.close();
  });

  it('a listener that runs after the emitting trace ended starts a new trace naming it', async () => {
    const { app, exporter, events, tracing } = await start();
    let emitterTraceId: string | undefined;
    await tracing.withSpan('emitter', () => {
      emitterTraceId = tracing.getActiveTraceId();
      setTimeout(() => events.emit('order.placed', { id: 'late' }), 10);
    });
    const traces = await tracesAfter(exporter, 3);
    const late = traces.filter((trace) => trace.rootSpan.name !== 'emitter');
    expect(late).toHaveLength(2);
    for (const trace of late) expect(trace.metadata[LINKED_TRACE_METADATA]).toBe(emitterTraceId);
    await app.close();
  });

  it('`entryPoints.events: false` leaves listeners untraced', async () => {
    const { app, exporter, events } = await start({ entryPoints: { events: false } });
    events.emit('order.placed', { id: 'quiet' });
    await settle();
    expect(exporter.getTraces()).toHaveLength(0);
    await app.close();
  });
});
