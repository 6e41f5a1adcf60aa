import type { INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { io, type Socket } from 'socket.io-client';
import { TracingService } from '../../../lib';
import { baseUrl } from '../../interceptor/fixtures/http-app';
import {
  attributes,
  compileWithTracing,
  realServerOptions,
  rootOf,
  spanNamed,
  storedTrace,
  tracesNamed,
} from '../fixtures/mlflow-app';
import { ChatAgent, ChatGateway } from './fixtures/chat.gateway';

const experimentName = `entry-ws-${Date.now()}`;

function connect(url: string, auth: Record<string, string>): Promise<Socket> {
  const socket = io(`${url}/chat`, { transports: ['websocket'], auth, forceNew: true });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

describe('WebSocket gateway messages in a real MLflow server (socket.io)', () => {
  let app: INestApplication;
  let url: string;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    const moduleRef = await compileWithTracing(realServerOptions(experimentName), {
      providers: [ChatGateway, ChatAgent],
    });
    app = moduleRef.createNestApplication({ logger: false });
    app.useWebSocketAdapter(new IoAdapter(app));
    await app.listen(0, '127.0.0.1');
    url = await baseUrl(app);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await app.close();
  });

  it('stores each message as a trace `WS chat.message`: data in, reply out, agent span nested, user and session from the handshake', async () => {
    const socket = await connect(url, { userId: 'ann', sessionId: 'conv-1' });
    sockets.push(socket);
    const reply = await socket.emitWithAck('message', { text: 'hello' });
    expect(reply).toEqual({ answer: 'echo: hello', traceId: expect.stringMatching(/^tr-/) });
    await app.get(TracingService).flush();

    const trace = await storedTrace(reply.traceId, 2);
    expect(trace.trace_info.tags?.['mlflow.traceName']).toBe('WS chat.message');
    expect(trace.trace_info.trace_metadata).toMatchObject({
      'mlflow.trace.user': 'ann',
      'mlflow.trace.session': 'conv-1',
    });
    const root = rootOf(trace);
    expect(attributes(root)).toMatchObject({
      'mlflow.spanType': 'CHAIN',
      'mlflow.spanInputs': { text: 'hello' },
      'mlflow.spanOutputs': reply,
      'ws.event': 'message',
      'ws.gateway': 'chat',
    });
    const agent = spanNamed(trace, 'ChatAgent.reply');
    expect(agent.parent_span_id).toBe(root.span_id);
    expect(attributes(agent)['mlflow.spanType']).toBe('AGENT');
  });

  it('records what a handler emits to its client as outputs when it returns nothing', async () => {
    const socket = await connect(url, { userId: 'bob' });
    sockets.push(socket);
    const ack = new Promise((resolve) => socket.once('typing.ack', resolve));
    socket.emit('typing', { text: 'abc' });
    expect(await ack).toEqual({ length: 3 });
    const tracing = app.get(TracingService);
    await tracing.flush();
    const [info] = await tracesNamed(experimentName, 'WS chat.typing');
    const trace = await storedTrace(info.trace_id, 1);
    expect(trace.trace_info.trace_metadata?.['mlflow.trace.user']).toBe('bob');
    expect(attributes(rootOf(trace))['mlflow.spanOutputs']).toEqual([
      { event: 'typing.ack', data: { length: 3 } },
    ]);
  });

  it('keeps many concurrent conversations apart: each trace holds its own user, input and nested span', async () => {
    const users = Array.from({ length: 8 }, (_, index) => `user-${index}`);
    const connected = await Promise.all(
      users.map((user) => connect(url, { userId: user, sessionId: `s-${user}` })),
    );
    sockets.push(...connected);
    const replies = await Promise.all(
      connected.flatMap((socket, index) =>
        [0, 1, 2].map(async (turn) => ({
          user: users[index],
          text: `${users[index]} turn ${turn}`,
          reply: await socket.emitWithAck('message', { text: `${users[index]} turn ${turn}` }),
        })),
      ),
    );
    expect(new Set(replies.map(({ reply }) => reply.traceId)).size).toBe(replies.length);
    await app.get(TracingService).flush();
    for (const { user, text, reply } of replies) {
      const trace = await storedTrace(reply.traceId, 2);
      expect(trace.spans).toHaveLength(2);
      expect(trace.trace_info.trace_metadata?.['mlflow.trace.user']).toBe(user);
      expect(attributes(rootOf(trace))['mlflow.spanInputs']).toEqual({ text });
      expect(attributes(spanNamed(trace, 'ChatAgent.reply'))['mlflow.spanInputs']).toEqual({
        text,
      });
    }
  });
});
