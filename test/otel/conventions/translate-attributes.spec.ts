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

describe('translateAttributes: agent frameworks', () => {
  it('reads Mastra: its own span types, and inputs/outputs from mastra.<type>.input/output', () => {
    expect(
      translateAttributes({
        'gen_ai.operation.name': 'invoke_agent',
        'mastra.span.type': 'agent_run',
        'mastra.agent_run.input': 'Weather?',
        'mastra.agent_run.output': '{"text":"Sunny"}',
      }),
    ).toMatchObject({ spanType: 'AGENT', inputs: 'Weather?', outputs: { text: 'Sunny' } });
    expect(
      translateAttributes({
        'gen_ai.operation.name': 'model_step',
        'mastra.span.type': 'model_step',
        'mastra.model_step.input': '[{"role":"user","content":"hi"}]',
      }),
    ).toMatchObject({ spanType: 'CHAIN', inputs: [{ role: 'user', content: 'hi' }] });
    expect(translateAttributes({ 'mastra.span.type': 'model_inference' }).spanType).toBe('LLM');
    expect(translateAttributes({ 'mastra.span.type': 'model_chunk' }).spanType).toBe(undefined);
    // GenAI attributes come first: a tool call's arguments, not Mastra's own key.
    expect(
      translateAttributes({
        'gen_ai.operation.name': 'execute_tool',
        'mastra.span.type': 'tool_call',
        'gen_ai.tool.call.arguments': '{"city":"Paris"}',
      }),
    ).toMatchObject({ spanType: 'TOOL', inputs: { city: 'Paris' } });
    expect(translateAttributes({ 'gen_ai.operation.name': 'invoke_workflow' }).spanType).toBe(
      'CHAIN',
    );
  });

  it("reads Google ADK: call_llm's request and response, a tool call's arguments and response", () => {
    expect(
      translateAttributes({
        'gen_ai.system': 'gcp.vertex.agent',
        'gen_ai.request.model': 'gemini-2.5-flash',
        'gcp.vertex.agent.llm_request': '{"model":"gemini-2.5-flash","contents":[]}',
        'gcp.vertex.agent.llm_response': '{"content":{"role":"model","parts":[{"text":"hi"}]}}',
        'gen_ai.usage.input_tokens': 12,
        'gen_ai.usage.output_tokens': 6,
      }),
    ).toMatchObject({
      spanType: 'LLM',
      inputs: { model: 'gemini-2.5-flash', contents: [] },
      outputs: { content: { role: 'model', parts: [{ text: 'hi' }] } },
      model: 'gemini-2.5-flash',
      tokenUsage: { input_tokens: 12, output_tokens: 6, total_tokens: 18 },
    });
    // ADK sets empty model request and response on tool spans: they count as missing.
    expect(
      translateAttributes({
        'gen_ai.operation.name': 'execute_tool',
        'gcp.vertex.agent.llm_request': '{}',
        'gcp.vertex.agent.llm_response': '{}',
        'gcp.vertex.agent.tool_call_args': '{"city":"Paris"}',
        'gcp.vertex.agent.tool_response': '{"sky":"sunny"}',
      }),
    ).toMatchObject({ spanType: 'TOOL', inputs: { city: 'Paris' }, outputs: { sky: 'sunny' } });
    expect(translateAttributes({ 'gcp.vertex.agent.llm_request': '{}' }).spanType).toBe(undefined);
  });
});
