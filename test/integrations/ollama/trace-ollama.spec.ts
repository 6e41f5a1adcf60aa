import { Inject, Injectable } from '@nestjs/common';
import { Ollama } from 'ollama';
import { InMemoryTraceExporter, SpanType, Trace, traceOllama } from '../../../lib';
import { fakeOllamaServer, OLLAMA_MISSING_MODEL } from '../fixtures/fake-ollama-server';
import { useSdkTestApp } from '../fixtures/sdk-test-app';

const OLLAMA = 'OLLAMA';
const USAGE = { input_tokens: 15, output_tokens: 8, total_tokens: 23 };
const WEATHER_TOOL = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } } },
  },
};

@Injectable()
class Assistant {
  constructor(@Inject(OLLAMA) readonly ollama: Ollama) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string> {
    const response = await this.ollama.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: question }],
      options: { temperature: 0.2 },
    });
    return response.message.content;
  }
}

describe('ollama', () => {
  const sdk = useSdkTestApp({
    fake: fakeOllamaServer,
    token: OLLAMA,
    client: (host) => traceOllama(new Ollama({ host })),
    assistant: Assistant,
  });
  let exporter: InMemoryTraceExporter;
  let assistant: Assistant;
  let ollama: Ollama;
  beforeAll(() => {
    ({ exporter, assistant } = sdk);
    ollama = assistant.ollama;
  });

  it('records chat as Ollama.chat (CHAT_MODEL): request, response, usage, parameters, the conversation', async () => {
    await expect(assistant.answer('Hi Ollama')).resolves.toBe('Echo: Hi Ollama');
    const agent = exporter.findSpan({ name: 'Assistant.answer' });
    const span = exporter.findSpan({ name: 'Ollama.chat' });
    expect(span).toMatchObject({
      spanType: 'CHAT_MODEL',
      parentSpanIdHex: agent.spanIdHex,
      inputs: { model: 'llama3.2', messages: [{ role: 'user', content: 'Hi Ollama' }] },
      outputs: {
        message: { role: 'assistant', content: 'Echo: Hi Ollama' },
        done: true,
        prompt_eval_count: 15,
        eval_count: 8,
      },
    });
    expect(span.attributes).toEqual(
      expect.objectContaining({
        'mlflow.message.format': 'ollama',
        'mlflow.llm.provider': 'ollama',
        'mlflow.llm.model': 'llama3.2',
        'mlflow.chat.tokenUsage': USAGE,
        'mlflow.chat.messages': [
          { role: 'user', content: 'Hi Ollama' },
          { role: 'assistant', content: 'Echo: Hi Ollama' },
        ],
        model: 'llama3.2',
        options: { temperature: 0.2 },
      }),
    );
    expect(span.attributes).not.toHaveProperty('messages');
  });

  it('records a chat stream as one span: chunk events, the message rebuilt, usage from the last chunk', async () => {
    const stream = await ollama.chat({
      model: 'llama3.2',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
    });
    let text = '';
    for await (const part of stream) text += part.message.content;
    expect(text).toBe('Echo: stream please');
    const span = exporter.findSpan({ name: 'Ollama.chat' });
    expect(span.events.filter((e) => e.name.startsWith('mlflow.chunk.item.'))).toHaveLength(4);
    expect(span.outputs).toMatchObject({
      message: { role: 'assistant', content: 'Echo: stream please' },
      done: true,
      done_reason: 'stop',
    });
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual(USAGE);
  });

  it('records tools and the tool call round trip as OpenAI-style chat messages', async () => {
    const messages = [{ role: 'user', content: 'Weather in Paris?' }];
    const first = await ollama.chat({ model: 'llama3.2', messages, tools: [WEATHER_TOOL] });
    expect(first.message.tool_calls).toHaveLength(1);
    const second = await ollama.chat({
      model: 'llama3.2',
      tools: [WEATHER_TOOL],
      messages: [
        ...messages,
        first.message,
        { role: 'tool', content: '{"sky":"sunny"}', tool_name: 'get_weather' },
      ],
    });
    expect(second.message.content).toBe('It is sunny in Paris.');
    const [callSpan, answerSpan] = exporter.findSpans({ name: 'Ollama.chat' });
    expect(callSpan.attributes['mlflow.chat.tools']).toEqual([WEATHER_TOOL]);
    const toolCall = {
      id: 'get_weather_0',
      type: 'function',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    };
    expect(callSpan.attributes['mlflow.chat.messages']).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', tool_calls: [toolCall] },
    ]);
    expect(answerSpan.attributes['mlflow.chat.messages']).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', tool_calls: [toolCall] },
      { role: 'tool', content: '{"sky":"sunny"}', tool_call_id: 'get_weather' },
      { role: 'assistant', content: 'It is sunny in Paris.' },
    ]);
  });

  it('records generate as Ollama.generate (LLM), streamed or not', async () => {
    const plain = await ollama.generate({
      model: 'llama3.2',
      prompt: 'Say hi',
      system: 'Be brief',
    });
    expect(plain.response).toBe('Echo: Say hi');
    let streamed = '';
    for await (const part of await ollama.generate({
      model: 'llama3.2',
      prompt: 'Say more',
      stream: true,
    }))
      streamed += part.response;
    expect(streamed).toBe('Echo: Say more');
    const [plainSpan, streamSpan] = exporter.findSpans({ name: 'Ollama.generate' });
    expect(plainSpan.spanType).toBe('LLM');
    expect(plainSpan.attributes['mlflow.chat.messages']).toEqual([
      { role: 'system', content: 'Be brief' },
      { role: 'user', content: 'Say hi' },
      { role: 'assistant', content: 'Echo: Say hi' },
    ]);
    expect(streamSpan.outputs).toMatchObject({ response: 'Echo: Say more', done: true });
    expect(streamSpan.attributes['mlflow.chat.tokenUsage']).toEqual(USAGE);
  });

  it('records embed as Ollama.embed (EMBEDDING) with its prompt tokens', async () => {
    const result = await ollama.embed({ model: 'nomic-embed-text', input: ['a', 'b'] });
    expect(result.embeddings).toHaveLength(2);
    const span = exporter.findSpan({ name: 'Ollama.embed' });
    expect(span.spanType).toBe('EMBEDDING');
    expect(span.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 6,
      output_tokens: 0,
      total_tokens: 6,
    });
    expect(span.attributes['mlflow.message.format']).toBeUndefined();
  });

  it('marks a failed call ERROR and rethrows the SDK error unchanged', async () => {
    const error = await ollama
      .chat({ model: OLLAMA_MISSING_MODEL, messages: [{ role: 'user', content: 'hi' }] })
      .catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ status_code: 404 });
    const span = exporter.findSpan({ name: 'Ollama.chat' });
    expect(span.statusCode).toBe('ERROR');
    expect(
      span.events.find((e) => e.name === 'exception')?.attributes['exception.message'],
    ).toContain('not found');
  });
});
