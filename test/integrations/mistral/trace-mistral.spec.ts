import { Inject, Injectable } from '@nestjs/common';
import { Mistral } from '@mistralai/mistralai';
import { InMemoryTraceExporter, SpanType, Trace, traceMistral } from '../../../lib';
import { fakeMistralServer } from '../fixtures/fake-openai-compatible-server';
import { FAIL_WORD } from '../fixtures/fake-openai-server';
import { useSdkTestApp } from '../fixtures/sdk-test-app';

const MISTRAL = 'MISTRAL';
const USAGE = { input_tokens: 11, output_tokens: 7, total_tokens: 18 };
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: { type: 'object', properties: { cityName: { type: 'string' } } },
  },
};

@Injectable()
class Assistant {
  constructor(@Inject(MISTRAL) readonly mistral: Mistral) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<unknown> {
    const response = await this.mistral.chat.complete({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: question }],
      maxTokens: 100,
    });
    return response.choices[0]?.message?.content;
  }
}

describe('@mistralai/mistralai', () => {
  const sdk = useSdkTestApp({
    fake: fakeMistralServer,
    token: MISTRAL,
    client: (serverURL) => traceMistral(new Mistral({ apiKey: 'test-key', serverURL })),
    assistant: Assistant,
  });
  let exporter: InMemoryTraceExporter;
  let assistant: Assistant;
  let mistral: Mistral;
  beforeAll(() => {
    ({ exporter, assistant } = sdk);
    mistral = assistant.mistral;
  });

  it('records chat.complete as Chat.complete (CHAT_MODEL), in the API snake_case and the mistral format', async () => {
    await expect(assistant.answer('Hi Mistral')).resolves.toBe('Echo: Hi Mistral');
    const agent = exporter.findSpan({ name: 'Assistant.answer' });
    const span = exporter.findSpan({ name: 'Chat.complete' });
    expect(span).toMatchObject({
      spanType: 'CHAT_MODEL',
      parentSpanIdHex: agent.spanIdHex,
      inputs: {
        model: 'mistral-small-latest',
        messages: [{ role: 'user', content: 'Hi Mistral' }],
        max_tokens: 100,
      },
      outputs: {
        choices: [
          { message: { role: 'assistant', content: 'Echo: Hi Mistral' }, finish_reason: 'stop' },
        ],
        usage: { prompt_tokens: 11, completion_tokens: 7, total_tokens: 18 },
      },
    });
    expect(span.attributes).toEqual(
      expect.objectContaining({
        'mlflow.message.format': 'mistral',
        'mlflow.llm.provider': 'mistral',
        'mlflow.llm.model': 'mistral-small-latest',
        'mlflow.chat.tokenUsage': USAGE,
      }),
    );
  });

  it('records chat.stream as Chat.stream: chunk events, the completion rebuilt, usage', async () => {
    const stream = await mistral.chat.stream({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'stream please' }],
    });
    let text = '';
    for await (const event of stream)
      text += (event.data.choices[0]?.delta.content as string) ?? '';
    expect(text).toBe('Echo: stream please');
    const span = exporter.findSpan({ name: 'Chat.stream' });
    expect(span.spanType).toBe('CHAT_MODEL');
    expect(span.events.filter((e) => e.name.startsWith('mlflow.chunk.item.'))).toHaveLength(5);
    expect(span.outputs).toMatchObject({
      choices: [{ message: { content: 'Echo: stream please' }, finish_reason: 'stop' }],
    });
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual(USAGE);
  });

  it('records tools (their schemas as written) and the tool call round trip', async () => {
    const first = await mistral.chat.complete({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: 'Weather in Paris?' }],
      tools: [WEATHER_TOOL],
    });
    const call = first.choices[0]!.message!.toolCalls![0];
    await mistral.chat.complete({
      model: 'mistral-small-latest',
      tools: [WEATHER_TOOL],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: '', toolCalls: [call] },
        { role: 'tool', toolCallId: call.id, name: 'get_weather', content: '{"sky":"sunny"}' },
      ],
    });
    const [callSpan, answerSpan] = exporter.findSpans({ name: 'Chat.complete' });
    expect(callSpan.attributes['mlflow.chat.tools']).toEqual([WEATHER_TOOL]);
    expect(callSpan.outputs).toMatchObject({
      choices: [
        {
          message: { tool_calls: [{ id: 'call_1', function: { name: 'get_weather' } }] },
          finish_reason: 'tool_calls',
        },
      ],
    });
    expect(answerSpan.inputs).toMatchObject({
      messages: [
        {},
        { role: 'assistant', tool_calls: [{ id: 'call_1' }] },
        { role: 'tool', tool_call_id: 'call_1' },
      ],
    });
  });

  it('records embeddings.create as Embeddings.create (EMBEDDING)', async () => {
    await mistral.embeddings.create({ model: 'mistral-embed', inputs: ['hello'] });
    const span = exporter.findSpan({ name: 'Embeddings.create' });
    expect(span.spanType).toBe('EMBEDDING');
    expect(span.attributes['mlflow.llm.model']).toBe('mistral-embed');
    expect(span.attributes['mlflow.message.format']).toBeUndefined();
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 4,
      output_tokens: 0,
      total_tokens: 4,
    });
  });

  it('marks a failed call ERROR and rethrows the SDK error unchanged', async () => {
    const error = await assistant.answer(FAIL_WORD).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Error);
    const span = exporter.findSpan({ name: 'Chat.complete' });
    expect(span.statusCode).toBe('ERROR');
    expect(
      span.events.find((e) => e.name === 'exception')?.attributes['exception.message'],
    ).toContain('The model refused this input');
  });
});
