import { Inject, Injectable } from '@nestjs/common';
import Groq from 'groq-sdk';
import { InMemoryTraceExporter, SpanType, Trace, traceGroq } from '../../../lib';
import { fakeGroqServer } from '../fixtures/fake-openai-compatible-server';
import { FAIL_WORD } from '../fixtures/fake-openai-server';
import { useSdkTestApp } from '../fixtures/sdk-test-app';

const GROQ = 'GROQ';
const USAGE = { input_tokens: 11, output_tokens: 7, total_tokens: 18 };
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

@Injectable()
class Assistant {
  constructor(@Inject(GROQ) readonly groq: Groq) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string | null> {
    const completion = await this.groq.chat.completions.create({
      model: 'llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: question }],
    });
    return completion.choices[0].message.content;
  }
}

describe(`groq-sdk`, () => {
  const sdk = useSdkTestApp({
    fake: fakeGroqServer,
    token: GROQ,
    client: (baseURL) => traceGroq(new Groq({ apiKey: 'gsk-test', baseURL, maxRetries: 0 })),
    assistant: Assistant,
  });
  let exporter: InMemoryTraceExporter;
  let assistant: Assistant;
  let groq: Groq;
  beforeAll(() => {
    ({ exporter, assistant } = sdk);
    groq = assistant.groq;
  });

  it('records chat.completions.create as Completions (CHAT_MODEL) in the groq format', async () => {
    await expect(assistant.answer('Hi Groq')).resolves.toBe('Echo: Hi Groq');
    const agent = exporter.findSpan({ name: 'Assistant.answer' });
    const span = exporter.findSpan({ name: 'Completions' });
    expect(span).toMatchObject({
      spanType: 'CHAT_MODEL',
      parentSpanIdHex: agent.spanIdHex,
      inputs: {
        model: 'llama-3.3-70b-versatile',
        messages: [{ role: 'user', content: 'Hi Groq' }],
      },
      outputs: { choices: [{ message: { role: 'assistant', content: 'Echo: Hi Groq' } }] },
    });
    expect(span.attributes).toEqual(
      expect.objectContaining({
        'mlflow.message.format': 'groq',
        'mlflow.llm.provider': 'groq',
        'mlflow.llm.model': 'llama-3.3-70b-versatile',
        'mlflow.chat.tokenUsage': USAGE,
      }),
    );
  });

  it('records a stream: chunk events, the completion rebuilt, usage from x_groq', async () => {
    const stream = await groq.chat.completions.create({
      model: 'llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Echo: stream please');
    const span = exporter.findSpan({ name: 'Completions' });
    // role, 3 words, finish (with x_groq.usage)
    expect(span.events.filter((e) => e.name.startsWith('mlflow.chunk.item.'))).toHaveLength(5);
    expect(span.outputs).toMatchObject({
      choices: [{ message: { content: 'Echo: stream please' }, finish_reason: 'stop' }],
    });
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual(USAGE);
  });

  it('records tools and the tool call round trip', async () => {
    const messages: Groq.Chat.ChatCompletionMessageParam[] = [
      { role: 'user', content: 'Weather in Paris?' },
    ];
    const first = await groq.chat.completions.create({
      model: 'llama-3.3-70b-versatile',
      messages,
      tools: [WEATHER_TOOL],
    });
    const call = first.choices[0].message.tool_calls![0];
    const second = await groq.chat.completions.create({
      model: 'llama-3.3-70b-versatile',
      tools: [WEATHER_TOOL],
      messages: [
        ...messages,
        first.choices[0].message,
        { role: 'tool', tool_call_id: call.id, content: '{"sky":"sunny"}' },
      ],
    });
    expect(second.choices[0].message.content).toBe('Echo: Weather in Paris?');
    const [callSpan, answerSpan] = exporter.findSpans({ name: 'Completions' });
    expect(callSpan.attributes['mlflow.chat.tools']).toEqual([WEATHER_TOOL]);
    expect(callSpan.outputs).toMatchObject({
      choices: [{ message: { tool_calls: [{ function: { name: 'get_weather' } }] } }],
    });
    expect(answerSpan.inputs).toMatchObject({
      messages: [{}, { role: 'assistant' }, { role: 'tool', tool_call_id: 'call_1' }],
    });
  });

  it('records embeddings.create as Embeddings (EMBEDDING)', async () => {
    await groq.embeddings.create({ model: 'embed-test', input: 'hello' });
    const span = exporter.findSpan({ name: 'Embeddings' });
    expect(span.spanType).toBe('EMBEDDING');
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 4,
      output_tokens: 0,
      total_tokens: 4,
    });
  });

  it('marks a failed call ERROR and rethrows the SDK error unchanged', async () => {
    const error = await assistant.answer(FAIL_WORD).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Groq.APIError);
    const span = exporter.findSpan({ name: 'Completions' });
    expect(span.statusCode).toBe('ERROR');
    expect(
      span.events.find((e) => e.name === 'exception')?.attributes['exception.message'],
    ).toContain('The model refused this input');
  });
});
