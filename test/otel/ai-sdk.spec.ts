import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter, SpanType } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';
import { Assistant } from './fixtures/ai-sdk-assistant';
import { AI_SDK_SUITE, describeAiSdk } from './fixtures/ai-sdk-support';
import { docBlocks } from '../fixtures/docs';
import { scriptedModel } from './fixtures/scripted-model';
import { spanTree } from './fixtures/span-tree';

describeAiSdk(AI_SDK_SUITE, () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    // Loaded here: `ai` is imported only where it is supported.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { WeatherAgent } = require('./fixtures/readme-ai-sdk');
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [Assistant, WeatherAgent] }));
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  it('generateText with a tool: GenAI spans nested under the @Trace method, typed and with messages', async () => {
    const text = await app.get(Assistant).answer('Weather in Paris?');
    expect(text).toBe('It is sunny in Paris.');
    expect(exporter.getTraces()).toHaveLength(1);
    const spans = exporter.getSpans();
    expect(spanTree(spans)).toEqual([
      'Assistant.answer (AGENT)',
      '  invoke_agent gpt-4o-mini (AGENT)',
      '    step 1 (CHAIN)',
      '      chat gpt-4o-mini (CHAT_MODEL)',
      '      execute_tool weather (TOOL)',
      '    step 2 (CHAIN)',
      '      chat gpt-4o-mini (CHAT_MODEL)',
    ]);
    const [firstChat, secondChat] = exporter.findSpans({ spanType: SpanType.CHAT_MODEL });
    expect(firstChat.inputs).toEqual([
      { role: 'user', parts: [{ type: 'text', content: 'Weather in Paris?' }] },
    ]);
    expect(firstChat.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 10,
      output_tokens: 5,
      total_tokens: 15,
    });
    expect(firstChat.attributes['mlflow.llm.model']).toBe('gpt-4o-mini');
    expect(firstChat.attributes['mlflow.chat.tools']).toEqual([
      expect.objectContaining({ type: 'function', name: 'weather' }),
    ]);
    expect(secondChat.outputs).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'text', content: 'It is sunny in Paris.' }],
        finish_reason: 'stop',
      },
    ]);
    const tool = exporter.findSpan({ spanType: SpanType.TOOL });
    expect(tool.inputs).toEqual({ city: 'Paris' });
    expect(tool.outputs).toEqual({ city: 'Paris', sky: 'sunny', celsius: 21 });
    // The agent span reports the whole call's usage (MLflow does not count its children again).
    expect(
      exporter.findSpan({ name: /^invoke_agent/ }).attributes['mlflow.chat.tokenUsage'],
    ).toEqual({ input_tokens: 30, output_tokens: 13, total_tokens: 43 });
  });

  it('streamText with a tool: the same tree, the streamed text as the method output', async () => {
    const text = await app.get(Assistant).stream('Weather?');
    expect(text).toBe('It is sunny in Paris.');
    const spans = exporter.getSpans();
    expect(spanTree(spans)).toEqual([
      'Assistant.stream (AGENT)',
      '  invoke_agent gpt-4o-mini (AGENT)',
      '    step 1 (CHAIN)',
      '      chat gpt-4o-mini (CHAT_MODEL)',
      '      execute_tool weather (TOOL)',
      '    step 2 (CHAIN)',
      '      chat gpt-4o-mini (CHAT_MODEL)',
    ]);
    expect(spans[0].outputs).toBe('It is sunny in Paris.');
    expect(spans[6].attributes['mlflow.chat.tokenUsage']).toMatchObject({ input_tokens: 20 });
  });

  it("the AI SDK's own ai.* attributes (LegacyOpenTelemetry, releases before 7) map too", async () => {
    await app.get(Assistant).answer('Weather in Paris?', true);
    expect(spanTree(exporter.getSpans())).toEqual([
      'Assistant.answer (AGENT)',
      '  ai.generateText (LLM)',
      '    ai.generateText.doGenerate (LLM)',
      '      ai.toolCall (TOOL)',
      '    ai.generateText.doGenerate (LLM)',
    ]);
    const [first, second] = exporter.findSpans({ name: 'ai.generateText.doGenerate' });
    expect(first.attributes['mlflow.message.format']).toBe('vercel_ai');
    expect(first.inputs).toMatchObject({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] }],
      tools: [expect.objectContaining({ name: 'weather' })],
    });
    expect(first.outputs).toMatchObject({
      finishReason: 'tool-calls',
      toolCalls: [{ toolCallId: 'call-1', toolName: 'weather', input: { city: 'Paris' } }],
    });
    expect(second.outputs).toMatchObject({ text: 'It is sunny in Paris.' });
    expect(second.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 20,
      output_tokens: 8,
      total_tokens: 28,
    });
    const generate = exporter.findSpan({ name: 'ai.generateText' });
    expect(generate.inputs).toEqual({ messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(generate.outputs).toBe('It is sunny in Paris.');
    expect(exporter.findSpan({ name: 'ai.toolCall' }).outputs).toEqual({
      city: 'Paris',
      sky: 'sunny',
      celsius: 21,
    });
  });

  it("the guide's example records the trace the guide shows", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { WeatherAgent } = require('./fixtures/readme-ai-sdk');
    const text = await app.get(WeatherAgent).answer(scriptedModel(), 'Weather in Paris?');
    expect(text).toBe('It is sunny in Paris.');
    const shown = docBlocks('docs/llm-sdks.md', '## Vercel AI SDK').find(
      (block) => block.lang === 'text',
    )!;
    expect(spanTree(exporter.getSpans())).toEqual(shown.code.trimEnd().split('\n'));
  });
});
