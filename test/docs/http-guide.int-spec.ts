import {
  Body,
  Controller,
  Get,
  Injectable,
  Module,
  Param,
  Post,
  UseGuards,
  UseInterceptors,
  type CanActivate,
  type ExecutionContext,
  type INestApplication,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import {
  MlflowTracingInterceptor,
  MlflowTracingModule,
  SpanType,
  Trace,
  TraceRoute,
  TracingService,
} from '../../lib';
import { docBlocks } from '../fixtures/docs';
import {
  readTraceWithPython,
  searchTracesWithPython,
  type PythonSpan,
  type PythonTrace,
} from '../checks/mlflow-python';
import { mlflowRequest, waitFor } from '../checks/mlflow-rest';

// Every code block of docs/http.md, run against the real server: each app reads
// MLFLOW_TRACKING_URI and MLFLOW_EXPERIMENT_NAME, as the guide's snippets leave them out.
const experimentName = `http-guide-${Date.now()}`;
const env = { ...process.env };
process.env.MLFLOW_TRACKING_URI = process.env.MLFLOW_TEST_TRACKING_URI;
process.env.MLFLOW_EXPERIMENT_NAME = experimentName;
process.env.INTERNAL_TOKEN = 'internal-secret';

interface AskDto {
  question: string;
}
interface LoginDto {
  user: string;
  password: string;
}

@Injectable()
class Retriever {
  @Trace(SpanType.RETRIEVER)
  async search(query: string): Promise<string[]> {
    return [`a document about ${query}`];
  }
}

@Injectable()
class ChatService {
  constructor(private readonly retriever: Retriever) {}

  @Trace(SpanType.AGENT)
  async answer(question: string) {
    const docs = await this.retriever.search(question);
    return this.chat(`${question}\n${docs.join('\n')}`);
  }

  @Trace({ spanType: SpanType.CHAT_MODEL, name: 'openai.chat' })
  async chat(prompt: string) {
    return { role: 'assistant', content: `${prompt.length} characters read` };
  }
}

@Controller('chat')
class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Post(':conversationId')
  ask(@Body() body: AskDto) {
    return this.chat.answer(body.question);
  }
}

@Controller('assistant')
export class AssistantController {
  @Post('login')
  @TraceRoute({ captureInputs: false }) // never record this body
  login(@Body() credentials: LoginDto) {
    return { user: credentials.user };
  }

  @Post(':conversationId')
  @TraceRoute({ name: 'chat', spanType: SpanType.AGENT })
  ask(@Param('conversationId') id: string, @Body() body: AskDto) {
    return { conversation: id, answer: `You asked: ${body.question}` };
  }
}

let forecastUrl = '';

@Injectable()
class WeatherService {
  constructor(private readonly tracing: TracingService) {}

  @Trace(SpanType.TOOL)
  async forecast(city: string) {
    // the caller
    await fetch(`${forecastUrl}/forecast/${city}`, {
      headers: this.tracing.getPropagationHeaders(),
    });
    return `forecast asked for ${city}`;
  }
}

@Controller('weather')
class WeatherController {
  constructor(private readonly weather: WeatherService) {}

  @Get(':city')
  ask(@Param('city') city: string) {
    return this.weather.forecast(city);
  }
}

@Module({
  imports: [MlflowTracingModule.forRoot({ serviceName: 'http-guide' })],
  controllers: [ChatController, AssistantController, WeatherController],
  providers: [ChatService, Retriever, WeatherService],
})
class ChatApp {}

@Controller('forecast')
class ForecastController {
  @Get(':city')
  forecast(@Param('city') city: string) {
    return { city, sky: 'clear' };
  }
}

@Module({
  // the service it calls
  imports: [MlflowTracingModule.forRoot({ http: { acceptTraceparent: true } })],
  controllers: [ForecastController],
})
class ForecastApp {}

@Controller('reports')
@UseInterceptors(MlflowTracingInterceptor)
export class ReportsController {
  @Get()
  list() {
    return ['weekly'];
  }
}

@Controller('untraced')
class UntracedController {
  @Get()
  list() {
    return ['not traced'];
  }
}

@Module({
  imports: [MlflowTracingModule.forRoot({ http: { autoInstrument: false } })],
  controllers: [ReportsController, UntracedController],
})
class ReportsApp {}

/** Stands in for an auth guard: the user it established is `request.user`. */
class SignedInGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.switchToHttp().getRequest().user = { id: 'user-from-guard' };
    return true;
  }
}

@Controller('profile')
@UseGuards(SignedInGuard)
class ProfileController {
  @Get()
  show() {
    return { ok: true };
  }
}

@Module({
  imports: [
    MlflowTracingModule.forRoot({
      http: {
        identify: (req) => ({ user: req.user?.id, session: req.headers['x-conversation-id'] }),
      },
    }),
  ],
  controllers: [ProfileController],
})
class IdentifyApp {}

@Controller('internal')
class InternalController {
  @Get()
  run() {
    return 'done';
  }
}

@Module({
  imports: [
    MlflowTracingModule.forRoot({
      http: {
        acceptTraceparent: (req) => req.headers['x-internal-token'] === process.env.INTERNAL_TOKEN,
      },
    }),
  ],
  controllers: [InternalController],
})
class InternalApp {}

async function listen(module: unknown): Promise<{ app: INestApplication; url: string }> {
  const app = await NestFactory.create(module as never, { logger: false });
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
}

/** A stored trace as the guide draws it: `name (TYPE)`, children in start order. */
function drawTree(spans: PythonSpan[]): string {
  const lines: string[] = [];
  const children = (id: string | null) =>
    spans
      .filter((span) => span.parent_id === id)
      .sort((a, b) => Number(BigInt(a.start_time_ns) - BigInt(b.start_time_ns)));
  const walk = (span: PythonSpan, prefix: string, last: boolean, root: boolean) => {
    const label = `${span.name} (${span.span_type})`;
    lines.push(root ? label : `${prefix}${last ? '└── ' : '├── '}${label}`);
    const next = children(span.span_id);
    const childPrefix = root ? '' : `${prefix}${last ? '    ' : '│   '}`;
    next.forEach((child, i) => walk(child, childPrefix, i === next.length - 1, false));
  };
  for (const root of children(null)) walk(root, '', true, true);
  return lines.join('\n');
}

async function storedTrace(traceId: string, spans: number): Promise<PythonTrace> {
  return waitFor(async () => {
    const trace = await readTraceWithPython(traceId).catch(() => undefined);
    return trace !== undefined && trace.spans.length >= spans ? trace : undefined;
  });
}

describe('docs/http.md against the real server', () => {
  const apps: INestApplication[] = [];
  let chat: string;
  let reports: string;
  let identify: string;
  let internal: string;

  beforeAll(async () => {
    const started = await Promise.all(
      [ChatApp, ForecastApp, ReportsApp, IdentifyApp, InternalApp].map(listen),
    );
    apps.push(...started.map((running) => running.app));
    [chat, forecastUrl, reports, identify, internal] = started.map((running) => running.url);
  });

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    process.env = env;
  });

  const flushAll = () => Promise.all(apps.map((app) => app.get(TracingService).flush()));

  it('stores the tree the guide draws, with user and session, found by the documented search', async () => {
    const response = await fetch(`${chat}/chat/conv-7`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-user-id': 'alice',
        'x-session-id': 'conv-7',
      },
      body: JSON.stringify({ question: 'What is MLflow?' }),
    });
    expect(response.status).toBe(201);
    const traceId = response.headers.get('x-mlflow-trace-id')!;
    await flushAll();

    const trace = await storedTrace(traceId, 4);
    const [drawn] = docBlocks('docs/http.md').filter((block) => block.lang === 'text');
    expect(drawTree(trace.spans)).toBe(drawn.code.trimEnd());
    expect(trace.info.trace_metadata['mlflow.trace.user']).toBe('alice');
    expect(trace.info.trace_metadata['mlflow.trace.session']).toBe('conv-7');

    const [search] = docBlocks('docs/http.md').filter((block) => block.lang === 'python');
    const filter = /filter_string="(.+)"\)/.exec(search.code)![1];
    const { experiment } = await mlflowRequest<{ experiment: { experiment_id: string } }>(
      'GET',
      `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${experimentName}`,
    );
    expect(await searchTracesWithPython(experiment.experiment_id, filter)).toContain(traceId);
  });

  it('@TraceRoute names the route and types its span, and leaves a login body unrecorded', async () => {
    const post = (path: string, body: object) =>
      fetch(`${chat}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const asked = await post('/assistant/conv-9', { question: 'hi' });
    const login = await post('/assistant/login', { user: 'bob', password: 'hunter2-secret' });
    await flushAll();

    const askTrace = await storedTrace(asked.headers.get('x-mlflow-trace-id')!, 1);
    expect(askTrace.info.tags['mlflow.traceName']).toBe('chat');
    expect(askTrace.spans[0].span_type).toBe('AGENT');
    expect(askTrace.spans[0].inputs).toMatchObject({ params: { conversationId: 'conv-9' } });

    const loginTrace = await storedTrace(login.headers.get('x-mlflow-trace-id')!, 1);
    expect(loginTrace.spans[0].outputs).toEqual({ user: 'bob' });
    expect(JSON.stringify(loginTrace)).not.toContain('hunter2');
  });

  it('with autoInstrument: false, only controllers with the interceptor are traced', async () => {
    const traced = await fetch(`${reports}/reports`);
    const untraced = await fetch(`${reports}/untraced`);
    expect(await untraced.json()).toEqual(['not traced']);
    expect(untraced.headers.get('x-mlflow-trace-id')).toBeNull();
    await flushAll();
    const trace = await storedTrace(traced.headers.get('x-mlflow-trace-id')!, 1);
    expect(trace.info.tags['mlflow.traceName']).toBe('GET /reports');
    expect(trace.spans[0].outputs).toEqual(['weekly']);
  });

  it('identify reads the user a guard established and the session from another header', async () => {
    const response = await fetch(`${identify}/profile`, {
      headers: { 'x-conversation-id': 'conv-from-header', 'x-user-id': 'ignored' },
    });
    await flushAll();
    const trace = await storedTrace(response.headers.get('x-mlflow-trace-id')!, 1);
    expect(trace.info.trace_metadata['mlflow.trace.user']).toBe('user-from-guard');
    expect(trace.info.trace_metadata['mlflow.trace.session']).toBe('conv-from-header');
  });

  it("a service with acceptTraceparent continues the caller's trace: one trace, two services", async () => {
    const response = await fetch(`${chat}/weather/paris`);
    const traceId = response.headers.get('x-mlflow-trace-id')!;
    await flushAll();
    const trace = await storedTrace(traceId, 3);
    expect(drawTree(trace.spans)).toBe(
      [
        'GET /weather/:city (CHAIN)',
        '└── WeatherService.forecast (TOOL)',
        '    └── GET /forecast/:city (CHAIN)',
      ].join('\n'),
    );
    expect(trace.info.tags['mlflow.traceName']).toBe('GET /weather/:city');
  });

  it('acceptTraceparent as a function: only requests with the internal token continue a trace', async () => {
    const tracing = apps[0].get(TracingService);
    const headers = tracing.withSpan('caller', () => tracing.getPropagationHeaders());
    const callerTraceId = `tr-${/^00-([0-9a-f]{32})-/.exec(headers.traceparent)![1]}`;
    const withToken = await fetch(`${internal}/internal`, {
      headers: { ...headers, 'x-internal-token': 'internal-secret' },
    });
    const withoutToken = await fetch(`${internal}/internal`, { headers });
    expect(withToken.headers.get('x-mlflow-trace-id')).toBe(callerTraceId);
    expect(withoutToken.headers.get('x-mlflow-trace-id')).not.toBe(callerTraceId);
    await flushAll();
    const own = await storedTrace(withoutToken.headers.get('x-mlflow-trace-id')!, 1);
    expect(own.spans.map((span) => span.name)).toEqual(['GET /internal']);
  });
});
