import type { INestApplication } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import {
  MessageBody,
  SubscribeMessage,
  WebSocketGateway,
  type OnGatewayConnection,
  type WsResponse,
} from '@nestjs/websockets';
import { Test } from '@nestjs/testing';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import {
  InMemoryTraceExporter,
  MlflowTracingConfigError,
  MlflowTracingModule,
  type MlflowTracingOptions,
} from '../../../lib';
import { baseUrl, settle, tracesAfter } from '../../interceptor/fixtures/http-app';

type TaggedClient = WebSocket & { userId?: string };

@WebSocketGateway()
class PingGateway implements OnGatewayConnection {
  handleConnection(client: TaggedClient, request: IncomingMessage) {
    client.userId = String(request.headers['x-user-id']);
  }

  @SubscribeMessage('ping')
  ping(@MessageBody() data: { n: number }): WsResponse<{ n: number }> {
    return { event: 'pong', data: { n: data.n + 1 } };
  }
}

async function start(options: MlflowTracingOptions) {
  const exporter = new InMemoryTraceExporter();
  const moduleRef = await Test.createTestingModule({
    imports: [MlflowTracingModule.forRoot({ exporter, ...options })],
    providers: [PingGateway],
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  app.useWebSocketAdapter(new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  const url = (await baseUrl(app)).replace('http', 'ws');
  return { app, exporter, url };
}

async function pingPong(url: string, n: number): Promise<unknown> {
  const socket = new WebSocket(url, { headers: { 'x-user-id': 'carol' } });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const reply = new Promise((resolve) =>
    socket.once('message', (raw) => resolve(JSON.parse(String(raw)))),
  );
  socket.send(JSON.stringify({ event: 'ping', data: { n } }));
  const answer = await reply;
  socket.close();
  return answer;
}

describe('WebSocket gateway messages (ws adapter)', () => {
  let app: INestApplication | undefined;
  afterEach(() => app?.close());

  it('names the span `WS <GatewayClass>.<event>`, records the WsResponse, reads the user with `identify`', async () => {
    const started = await start({
      entryPoints: { websocket: { identify: (client: TaggedClient) => ({ user: client.userId }) } },
    });
    app = started.app;
    expect(await pingPong(started.url, 1)).toEqual({ event: 'pong', data: { n: 2 } });
    const [trace] = await tracesAfter(started.exporter, 1);
    expect([
      trace.rootSpan.name,
      trace.rootSpan.inputs,
      trace.rootSpan.outputs,
      trace.user,
    ]).toEqual(['WS PingGateway.ping', { n: 1 }, { event: 'pong', data: { n: 2 } }, 'carol']);
  });

  it('answers as usual when `identify` throws: the trace just has no user', async () => {
    const started = await start({
      entryPoints: {
        websocket: {
          identify: () => {
            throw new Error('no session store');
          },
        },
      },
    });
    app = started.app;
    expect(await pingPong(started.url, 7)).toEqual({ event: 'pong', data: { n: 8 } });
    const [trace] = await tracesAfter(started.exporter, 1);
    expect([trace.rootSpan.name, trace.user]).toEqual(['WS PingGateway.ping', undefined]);
  });

  it('records nothing with `entryPoints.websocket.enabled: false`', async () => {
    const started = await start({ entryPoints: { websocket: { enabled: false } } });
    app = started.app;
    expect(await pingPong(started.url, 5)).toEqual({ event: 'pong', data: { n: 6 } });
    await settle();
    expect(started.exporter.getTraces()).toHaveLength(0);
  });

  it('rejects a bad option at startup, naming it', async () => {
    app = undefined;
    await expect(
      Test.createTestingModule({
        imports: [
          MlflowTracingModule.forRoot({
            exporter: new InMemoryTraceExporter(),
            entryPoints: { websocket: { userField: '' } },
          }),
        ],
      }).compile(),
    ).rejects.toThrow(MlflowTracingConfigError);
  });
});
