import { translateAttributes } from '../../../lib/otel';

describe('translateAttributes (OpenTelemetry conventions → MLflow)', () => {
  it('reads OpenInference: kind, JSON values, token counts with cache details, model', () => {
    expect(
      translateAttributes({
        'openinference.span.kind': 'LLM',
        'input.value': '{"messages":[{"role":"user","content":"hi"}]}',
        'output.value': 'hello',
        'llm.token_count.prompt': 7,
        'llm.token_count.completion': 3,
        'llm.token_count.total': 10,
        'llm.token_count.prompt_details.cache_read': 4,
        'llm.model_name': 'gpt-4o',
        'llm.provider': 'openai',
      }),
    ).toEqual({
      spanType: 'LLM',
      inputs: { messages: [{ role: 'user', content: 'hi' }] },
      outputs: 'hello',
      tokenUsage: {
        input_tokens: 7,
        output_tokens: 3,
        total_tokens: 10,
        cache_read_input_tokens: 4,
      },
      model: 'gpt-4o',
      provider: 'openai',
    });
  });

  it('reads GenAI: operation names, tool calls, the older cache-creation key, string counts', () => {
    expect(translateAttributes({ 'gen_ai.operation.name': 'embeddings' }).spanType).toBe(
      'EMBEDDING',
    );
    expect(translateAttributes({ 'gen_ai.operation.name': 'invoke_agent' }).spanType).toBe('AGENT');
    expect(translateAttributes({ 'gen_ai.operation.name': 'something_else' }).spanType).toBe(
      undefined,
    );
    expect(
      translateAttributes({
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.call.arguments': '{"city":"Paris"}',
        'gen_ai.tool.call.result': '"sunny"',
      }),
    ).toMatchObject({ spanType: 'TOOL', inputs: { city: 'Paris' }, outputs: 'sunny' });
    expect(
      translateAttributes({
        'gen_ai.usage.input_tokens': '12',
        'gen_ai.usage.output_tokens': 5,
        'gen_ai.usage.cache_creation.input_tokens': 2,
      }).tokenUsage,
    ).toEqual({
      input_tokens: 12,
      output_tokens: 5,
      total_tokens: 17,
      cache_creation_input_tokens: 2,
    });
  });

  it('reads the AI SDK ai.* attributes, v5+ and v4 token names', () => {
    expect(
      translateAttributes({
        'ai.operationId': 'ai.streamText.doStream',
        'ai.prompt.messages': '[{"role":"user","content":"hi"}]',
        'ai.prompt.tools': ['{"name":"weather"}'],
        'ai.response.text': 'hello',
        'ai.usage.promptTokens': 4,
        'ai.usage.completionTokens': 2,
      }),
    ).toEqual({
      spanType: 'LLM',
      inputs: { messages: [{ role: 'user', content: 'hi' }], tools: [{ name: 'weather' }] },
      outputs: { text: 'hello' },
      messageFormat: 'vercel_ai',
      tokenUsage: { input_tokens: 4, output_tokens: 2, total_tokens: 6 },
    });
    expect(
      translateAttributes({
        'ai.operationId': 'ai.embed',
        'ai.value': 'text',
        'ai.embedding': '[1,2]',
      }),
    ).toMatchObject({ spanType: 'EMBEDDING', inputs: 'text', outputs: [1, 2] });
  });

  it('treats empty values as missing and keeps text that only looks like JSON', () => {
    expect(
      translateAttributes({
        'input.value': '{}',
        'gen_ai.input.messages': '[]',
        'ai.prompt': '{not json',
        'output.value': '',
      }),
    ).toEqual({ inputs: '{not json' });
  });

  it('prefers OpenInference, then GenAI, then the AI SDK, field by field', () => {
    const translated = translateAttributes({
      'openinference.span.kind': 'CHAIN',
      'gen_ai.operation.name': 'chat',
      'gen_ai.input.messages': '[{"role":"user"}]',
      'ai.usage.inputTokens': 1,
      'ai.usage.outputTokens': 1,
    });
    expect(translated).toMatchObject({
      spanType: 'CHAIN',
      inputs: [{ role: 'user' }],
      tokenUsage: { input_tokens: 1, output_tokens: 1, total_tokens: 2 },
    });
  });
});
