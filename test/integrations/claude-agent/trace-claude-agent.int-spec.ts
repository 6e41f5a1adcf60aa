import { Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  MlflowTracingModule,
  SpanType,
  Trace,
  traceClaudeAgent,
  TracingService,
} from '../../../lib';
import { readTraceWithPython } from '../../checks/mlflow-python';
import {
  CLAUDE_AGENT_SDKS,
  useFakeClaudeCode,
  type ClaudeAgentModule,
} from '../fixtures/claude-agent-sdks';
import { CLAUDE_CODE_FAIL_WORD, fakeClaudeCodeServer } from '../fixtures/fake-claude-code-server';
import { readTracesWithPython } from '../fixtures/read-traces';
import { newestRunnable } from '../fixtures/sdk-versions';

@Injectable()
class NotesDesk {
  query!: ClaudeAgentModule['query'];
  cwd!: string;

  constructor(private readonly tracing: TracingService) {}

  @Trace(SpanType.AGENT)
  async ask(prompt: string): Promise<{ traceId?: string; answer?: string }> {
    const traceId = this.tracing.getActiveTraceId();
    const options = { cwd: this.cwd, allowedTools: ['Read'] };
    for await (const message of this.query({ prompt, options })) {
      if (message.type === 'result' && message.subtype === 'success')
        return { traceId, answer: message.result };
    }
    return { traceId };
  }
}

describe('traceClaudeAgent in a real MLflow server', () => {
  const sdk = newestRunnable(CLAUDE_AGENT_SDKS);
  const server = fakeClaudeCodeServer();
  let app: INestApplication;
  let tracing: TracingService;
  let desk: NotesDesk;
  let restore: () => void;

  beforeAll(async () => {
    const fake = useFakeClaudeCode(await server.start());
    restore = fake.restore;
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `claude-agent-${Date.now()}`,
        }),
      ],
      providers: [NotesDesk],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    tracing = app.get(TracingService);
    desk = app.get(NotesDesk);
    desk.query = traceClaudeAgent(sdk.load().query);
    desk.cwd = fake.cwd;
  });
  afterAll(async () => {
    await app?.close();
    restore?.();
    await server.stop();
  });

  it('stores the conversation, its model turns and the tool call under the @Trace span', async () => {
    const { traceId, answer } = await desk.ask('Summarize notes.txt in one sentence.');
    expect(answer).toBe('The file says: sunny in Paris');
    await tracing.flush();
    const trace = await readTraceWithPython(traceId!);
    const conversation = trace.spans.find((s) => s.name === 'claude_code_conversation')!;
    const children = trace.spans.filter((s) => s.parent_id === conversation.span_id);
    expect(children.map((s) => [s.name, s.span_type])).toEqual([
      ['llm', 'LLM'],
      ['tool_Read', 'TOOL'],
      ['llm', 'LLM'],
    ]);
    expect(conversation.span_type).toBe('AGENT');
    expect(conversation.inputs).toEqual({ prompt: 'Summarize notes.txt in one sentence.' });
    expect(conversation.outputs).toEqual({
      status: 'completed',
      response: 'The file says: sunny in Paris',
    });
    const [call, tool, answerTurn] = children;
    expect(call.attributes).toMatchObject({
      'mlflow.message.format': 'anthropic',
      'mlflow.llm.provider': 'anthropic',
    });
    expect(call.outputs).toMatchObject({
      role: 'assistant',
      content: [{ type: 'text' }, { type: 'tool_use', name: 'Read' }],
    });
    expect(tool.inputs).toEqual({ file_path: expect.stringMatching(/notes\.txt$/) });
    expect(JSON.stringify(tool.outputs)).toContain('sunny in Paris');
    expect(answerTurn.inputs).toMatchObject({
      messages: [
        { role: 'user' },
        { role: 'assistant' },
        { role: 'user', content: [{ type: 'tool_result' }] },
      ],
    });
    // The conversation's total (from Claude Code's result) counts once for the trace.
    expect(trace.info.token_usage).toMatchObject({
      input_tokens: 42,
      output_tokens: 18,
      total_tokens: 60,
    });
    expect(trace.info.trace_metadata['mlflow.claude_code_version']).toMatch(/^\d+\./);
    expect(trace.info.state).toBe('OK');
  });

  it('stores a failed model call as ERROR on the turn and the conversation', async () => {
    // The loop stops at the result, which reports the error; the SDK would throw after it.
    const { traceId, answer } = await desk.ask(`please ${CLAUDE_CODE_FAIL_WORD}`);
    expect(answer).toContain('API Error: 400');
    await tracing.flush();
    const trace = await readTraceWithPython(traceId!);
    const conversation = trace.spans.find((s) => s.name === 'claude_code_conversation')!;
    expect(conversation.status_code).toBe('ERROR');
    expect(conversation.status_message).toContain('Claude refused this input');
    const turn = trace.spans.find((s) => s.name === 'llm')!;
    expect(turn.status_code).toBe('ERROR');
    expect(turn.events.find((e) => e.name === 'exception')?.attributes).toMatchObject({
      'exception.message': expect.stringContaining('Claude refused this input'),
    });
    expect(conversation.attributes['mlflow.stream.cancelled']).toBeUndefined();
  });

  it('keeps 10 concurrent queries in 10 traces, each with its own prompt and answer', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => desk.ask(`question ${i}`)),
    );
    await tracing.flush();
    const traces = await readTracesWithPython(results.map(({ traceId }) => traceId!));
    traces.forEach((trace, i) => {
      expect(results[i].answer).toBe(`Echo: question ${i}`);
      const turn = trace.spans.find((s) => s.name === 'llm')!;
      expect(trace.spans).toHaveLength(3);
      expect(turn.inputs).toMatchObject({ messages: [{ content: `question ${i}` }] });
      expect(turn.outputs).toMatchObject({ content: [{ text: `Echo: question ${i}` }] });
    });
  });
});
