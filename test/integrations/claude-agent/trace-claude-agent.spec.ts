import { Injectable, type INestApplication } from '@nestjs/common';
import {
  InMemoryTraceExporter,
  SpanType,
  Trace,
  traceClaudeAgent,
  type FinishedSpan,
} from '../../../lib';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import {
  CLAUDE_AGENT_SDKS,
  useFakeClaudeCode,
  type ClaudeAgentModule,
} from '../fixtures/claude-agent-sdks';
import { CLAUDE_CODE_FAIL_WORD, fakeClaudeCodeServer } from '../fixtures/fake-claude-code-server';
import { renderTree } from '../fixtures/render-tree';
import { describeEachSdk } from '../fixtures/sdk-versions';

type Query = ClaudeAgentModule['query'];

@Injectable()
class NotesDesk {
  query!: Query;
  cwd!: string;

  @Trace(SpanType.AGENT)
  async ask(prompt: string, partial = false): Promise<unknown> {
    const options = { cwd: this.cwd, allowedTools: ['Read'], includePartialMessages: partial };
    let result: unknown;
    for await (const message of this.query({ prompt, options })) {
      if (message.type === 'result') result = message.subtype === 'success' && message.result;
    }
    return result;
  }
}

const ROUND_TRIP_TREE = [
  'NotesDesk.ask (AGENT)',
  '└── claude_code_conversation (AGENT)  tokens 42 in / 18 out',
  '    ├── llm (LLM)  format anthropic, model MODEL, tokens 21 in / OUT out',
  '    ├── tool_Read (TOOL)',
  '    └── llm (LLM)  format anthropic, model MODEL, tokens 21 in / OUT out',
].join('\n');

describeEachSdk(CLAUDE_AGENT_SDKS, (load) => {
  const server = fakeClaudeCodeServer();
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let desk: NotesDesk;
  let restore: () => void;

  beforeAll(async () => {
    const fake = useFakeClaudeCode(await server.start());
    restore = fake.restore;
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [NotesDesk] }));
    desk = app.get(NotesDesk);
    desk.query = traceClaudeAgent(load().query);
    desk.cwd = fake.cwd;
  });
  afterAll(async () => {
    await app?.close();
    restore?.();
    await server.stop();
  });
  beforeEach(() => exporter.reset());

  const span = (name: string) => exporter.findSpan({ name });
  const model = () => String((server.requests.at(-1)?.body as { model: string }).model);

  it('records the query, each model turn and the tool call of a Read round trip', async () => {
    await expect(desk.ask('Summarize notes.txt in one sentence.')).resolves.toBe(
      'The file says: sunny in Paris',
    );
    // Without partial messages Claude Code reports a turn's usage as of its start.
    expect(renderTree(exporter.getSpans())).toBe(
      ROUND_TRIP_TREE.replaceAll('MODEL', model()).replaceAll('OUT', '1'),
    );
    const conversation = span('claude_code_conversation');
    expect(conversation.inputs).toEqual({ prompt: 'Summarize notes.txt in one sentence.' });
    expect(conversation.outputs).toEqual({
      status: 'completed',
      response: 'The file says: sunny in Paris',
    });
    expect(conversation.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 42,
      output_tokens: 18,
      total_tokens: 60,
      cache_read_input_tokens: 6,
      cache_creation_input_tokens: 0,
    });
    expect(conversation.attributes).toMatchObject({ num_turns: 2 });
    expect(typeof conversation.attributes.total_cost_usd).toBe('number');
    expect(typeof conversation.attributes.session_id).toBe('string');

    const [first, second] = exporter.findSpans({ name: 'llm' });
    const user = { role: 'user', content: 'Summarize notes.txt in one sentence.' };
    expect(first.inputs).toEqual({ model: model(), messages: [user] });
    const toolUse = {
      type: 'tool_use',
      id: expect.any(String) as string,
      name: 'Read',
      input: { file_path: expect.stringMatching(/notes\.txt$/) as string },
    };
    const firstContent = [{ type: 'text', text: 'Let me read notes.txt.' }, toolUse];
    expect(first.outputs).toEqual({ type: 'message', role: 'assistant', content: firstContent });
    expect(first.attributes).toMatchObject({
      'mlflow.message.format': 'anthropic',
      'mlflow.llm.provider': 'anthropic',
      model: model(),
    });
    expect(second.inputs).toEqual({
      model: model(),
      messages: [
        user,
        { role: 'assistant', content: firstContent },
        {
          role: 'user',
          content: [expect.objectContaining({ type: 'tool_result', tool_use_id: toolUse.id })],
        },
      ],
    });
    expect(second.outputs).toMatchObject({
      content: [{ type: 'text', text: 'The file says: sunny in Paris' }],
    });

    const tool = span('tool_Read');
    expect(tool.inputs).toEqual({ file_path: expect.stringMatching(/notes\.txt$/) });
    expect(tool.attributes).toMatchObject({ tool_name: 'Read', tool_id: expect.any(String) });
    expect(JSON.stringify(tool.outputs)).toContain('sunny in Paris');
    expect(tool.statusCode).toBe('OK');
    // The model turn ends with its last block, before the tool it asked for runs.
    expect(first.endTimeNs <= tool.startTimeNs).toBe(true);
    expect(tool.endTimeNs <= second.startTimeNs).toBe(true);

    const [trace] = exporter.getTraces();
    expect(trace.metadata['mlflow.claude_code_version']).toMatch(/^\d+\.\d+\.\d+/);
    // Nested, the trace's previews stay the caller's.
    expect([trace.requestPreview, trace.responsePreview]).toEqual([undefined, undefined]);
  });

  it('with includePartialMessages each turn gets its final token usage', async () => {
    await desk.ask('Summarize notes.txt in one sentence.', true);
    expect(renderTree(exporter.getSpans())).toBe(
      ROUND_TRIP_TREE.replaceAll('MODEL', model()).replaceAll('OUT', '9'),
    );
  });

  it('records a failed model call as ERROR on the turn, the conversation and the caller', async () => {
    await expect(desk.ask(`please ${CLAUDE_CODE_FAIL_WORD}`)).rejects.toThrow(
      'Claude refused this input',
    );
    const errored = (s: FinishedSpan) => s.statusCode === 'ERROR';
    expect(errored(span('NotesDesk.ask'))).toBe(true);
    const conversation = span('claude_code_conversation');
    expect(errored(conversation)).toBe(true);
    expect(conversation.statusMessage).toContain('Claude refused this input');
    const turn = span('llm');
    expect(errored(turn)).toBe(true);
    expect(turn.events[0].attributes['exception.message']).toContain('API Error: 400');
    expect(conversation.outputs).toMatchObject({ response: expect.stringContaining('400') });
  });

  it('keeps concurrent queries apart', async () => {
    const prompts = ['Say one', 'Say two', 'Say three'];
    await expect(Promise.all(prompts.map((p) => desk.ask(p)))).resolves.toEqual(
      prompts.map((p) => `Echo: ${p}`),
    );
    const traces = exporter.getTraces();
    expect(traces).toHaveLength(3);
    for (const trace of traces) {
      const conversation = trace.spans.find((s) => s.name === 'claude_code_conversation')!;
      const prompt = (conversation.inputs as { prompt: string }).prompt;
      const turns = trace.spans.filter((s) => s.name === 'llm');
      expect(turns).toHaveLength(1);
      expect(turns[0].inputs).toMatchObject({ messages: [{ role: 'user', content: prompt }] });
      expect(turns[0].outputs).toMatchObject({ content: [{ text: `Echo: ${prompt}` }] });
    }
  });

  it("leaves the SDK's Query methods working and starts its own trace outside @Trace", async () => {
    const query = traceClaudeAgent(load().query);
    const run = query({ prompt: 'Say hi', options: { cwd: desk.cwd } });
    expect(typeof run.interrupt).toBe('function');
    expect(run[Symbol.asyncIterator]()).toBe(run);
    const messages: string[] = [];
    for await (const message of run) messages.push(message.type);
    expect(messages).toContain('result');
    const [trace] = exporter.getTraces();
    expect(trace.rootSpan.name).toBe('claude_code_conversation');
    expect(trace.session).toBe(trace.rootSpan.attributes.session_id);
    // As in Python, the trace list shows the prompt and the answer themselves.
    expect([trace.requestPreview, trace.responsePreview]).toEqual(['Say hi', 'Echo: Say hi']);
  });

  it('ends the conversation at the result when the loop stops there, else marks it cancelled', async () => {
    const query = traceClaudeAgent(load().query);
    for await (const message of query({ prompt: 'Say hi', options: { cwd: desk.cwd } }))
      if (message.type === 'result') break;
    for await (const message of query({ prompt: 'Say bye', options: { cwd: desk.cwd } }))
      if (message.type === 'assistant') break;
    const [atResult, early] = exporter.getTraces().map((trace) => trace.rootSpan);
    expect(atResult.outputs).toEqual({ status: 'completed', response: 'Echo: Say hi' });
    expect(atResult.attributes['mlflow.stream.cancelled']).toBeUndefined();
    expect(early.attributes['mlflow.stream.cancelled']).toBe(true);
    const turns = exporter.findSpans({ name: 'llm' });
    expect(turns.map((turn) => turn.outputs)).toMatchObject([
      { content: [{ text: 'Echo: Say hi' }] },
      { content: [{ text: 'Echo: Say bye' }] },
    ]);
  });

  it('refuses something that is not the query function', () => {
    expect(() => traceClaudeAgent(undefined as never)).toThrow(TypeError);
  });
});
