import type { INestApplication } from '@nestjs/common';
import { ClientsModule, Transport, type MicroserviceOptions } from '@nestjs/microservices';
import { TracingService } from '../../../lib';
import { startRedisServer } from '../../../scripts/redis/redis-server.cjs';
import { baseUrl } from '../../interceptor/fixtures/http-app';
import {
  attributes,
  compileWithTracing,
  realServerOptions,
  rootOf,
  spanNamed,
  storedTrace,
} from '../fixtures/mlflow-app';
import { freePort } from '../fixtures/free-port';
import {
  FORECAST_CLIENT,
  ForecastHandler,
  ForecastModel,
  WeatherController,
} from './fixtures/forecast-apps';

const experimentName = `entry-microservice-${Date.now()}`;

type TransportName = 'TCP' | 'Redis';

async function transportOptions(
  name: TransportName,
  redis: { host: string; port: number },
): Promise<MicroserviceOptions> {
  if (name === 'Redis')
    return { transport: Transport.REDIS, options: { host: redis.host, port: redis.port } };
  return { transport: Transport.TCP, options: { host: '127.0.0.1', port: await freePort() } };
}

describe.each<TransportName>(['TCP', 'Redis'])(
  'trace context across a microservice call over %s, in a real MLflow server',
  (transportName) => {
    let redis: Awaited<ReturnType<typeof startRedisServer>> | undefined;
    let service: INestApplication;
    let caller: INestApplication;
    let url: string;

    beforeAll(async () => {
      redis = transportName === 'Redis' ? await startRedisServer() : undefined;
      const transport = await transportOptions(transportName, redis ?? { host: '', port: 0 });
      const serviceModule = await compileWithTracing(
        realServerOptions(experimentName, {
          serviceName: 'forecast-service',
          entryPoints: { microservice: { acceptTraceparent: true } },
        }),
        { controllers: [ForecastHandler], providers: [ForecastModel] },
      );
      service = serviceModule.createNestApplication({ logger: false });
      service.connectMicroservice(transport, { inheritAppConfig: true });
      await service.startAllMicroservices();
      await service.init();

      const callerModule = await compileWithTracing(
        realServerOptions(experimentName, { serviceName: 'weather-api' }),
        {
          imports: [ClientsModule.register([{ name: FORECAST_CLIENT, ...transport } as never])],
          controllers: [WeatherController],
        },
      );
      caller = callerModule.createNestApplication({ logger: false });
      await caller.listen(0, '127.0.0.1');
      url = await baseUrl(caller);
      // A clean machine installs redis-server first (apt-get).
    }, 300_000);
    afterAll(async () => {
      await caller?.close();
      await service?.close();
      await redis?.stop();
    });

    const ask = (city: string) =>
      fetch(`${url}/weather`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ city }),
      });

    it("puts the handler's spans into the caller's trace: `RPC forecast` under the HTTP root, the model span under it", async () => {
      const response = await ask('Oslo');
      expect(await response.json()).toEqual({ forecast: 'sunny in Oslo' });
      const traceId = response.headers.get('x-mlflow-trace-id')!;
      await service.get(TracingService).flush();
      await caller.get(TracingService).flush();

      const trace = await storedTrace(traceId, 3);
      expect(trace.trace_info.tags?.['mlflow.traceName']).toBe('POST /weather');
      expect(trace.spans).toHaveLength(3);
      const root = rootOf(trace);
      const handler = spanNamed(trace, 'RPC forecast');
      expect(handler.parent_span_id).toBe(root.span_id);
      expect(attributes(handler)).toMatchObject({
        'rpc.method': 'forecast',
        'mlflow.spanInputs': { city: 'Oslo' },
        'mlflow.spanOutputs': { forecast: 'sunny in Oslo' },
      });
      expect(spanNamed(trace, 'ForecastModel.predict').parent_span_id).toBe(handler.span_id);
    });

    it('keeps concurrent calls apart: each caller trace holds exactly its own handler spans', async () => {
      const cities = Array.from({ length: 8 }, (_, index) => `city-${index}`);
      const responses = await Promise.all(cities.map(ask));
      await service.get(TracingService).flush();
      await caller.get(TracingService).flush();
      for (const [index, response] of responses.entries()) {
        const trace = await storedTrace(response.headers.get('x-mlflow-trace-id')!, 3);
        expect(trace.spans).toHaveLength(3);
        expect(attributes(spanNamed(trace, 'ForecastModel.predict'))['mlflow.spanInputs']).toEqual({
          city: cities[index],
        });
      }
    });
  },
);
