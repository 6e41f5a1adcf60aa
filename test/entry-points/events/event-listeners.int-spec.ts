import type { INestApplication } from '@nestjs/common';
import { EventEmitterModule } from '@nestjs/event-emitter';
import { TracingService } from '../../../lib';
import { baseUrl } from '../../interceptor/fixtures/http-app';
import {
  attributes,
  compileWithTracing,
  realServerOptions,
  rootOf,
  spanNamed,
  storedTrace,
} from '../fixtures/mlflow-app';
import { OrderListeners, OrderService, OrdersController } from './fixtures/orders';

const experimentName = `entry-events-${Date.now()}`;

describe('@nestjs/event-emitter listeners in a real MLflow server', () => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const moduleRef = await compileWithTracing(realServerOptions(experimentName), {
      imports: [EventEmitterModule.forRoot()],
      controllers: [OrdersController],
      providers: [OrderService, OrderListeners],
    });
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    url = await baseUrl(app);
  });
  afterAll(() => app.close());

  const place = (id: string) =>
    fetch(`${url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id }),
    });

  it('runs sync and async listeners as spans of the emitting span, with the payload as inputs', async () => {
    const response = await place('o-1');
    const traceId = response.headers.get('x-mlflow-trace-id')!;
    await app.get(TracingService).flush();
    const trace = await storedTrace(traceId, 4);
    expect(rootOf(trace).name).toBe('POST /orders');
    const emitter = spanNamed(trace, 'OrderService.place');
    for (const name of ['OrderListeners.audit', 'OrderListeners.notify']) {
      const listener = spanNamed(trace, name);
      expect(listener.parent_span_id).toBe(emitter.span_id);
      expect(attributes(listener)).toMatchObject({
        'mlflow.spanInputs': { id: 'o-1' },
        'event.name': 'order.placed',
      });
    }
    expect(attributes(spanNamed(trace, 'OrderListeners.notify'))['mlflow.spanOutputs']).toBe(
      'notified o-1',
    );
  });

  it('keeps concurrent emitters apart: each trace holds the listener spans of its own event', async () => {
    const ids = Array.from({ length: 10 }, (_, index) => `o-${index + 10}`);
    const responses = await Promise.all(ids.map(place));
    await app.get(TracingService).flush();
    for (const [index, response] of responses.entries()) {
      const trace = await storedTrace(response.headers.get('x-mlflow-trace-id')!, 4);
      expect(trace.spans).toHaveLength(4);
      for (const name of ['OrderListeners.audit', 'OrderListeners.notify'])
        expect(attributes(spanNamed(trace, name))['mlflow.spanInputs']).toEqual({ id: ids[index] });
    }
  });
});
