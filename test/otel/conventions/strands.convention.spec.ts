import { translateAttributes } from '../../../lib/otel';

/** What Strands Agents sets on every span it opens. */
const STRANDS = {
  'gen_ai.system': 'strands-agents',
  'gen_ai.event.start_time': '2026-01-01T00:00:00Z',
};
const event = (name: string, attributes: Record<string, string>) => ({ name, attributes });

describe('translateAttributes: Strands Agents (messages from span events)', () => {
  it('a chat span: the messages sent and the answer as OpenTelemetry GenAI messages', () => {
    const translated = translateAttributes(
      { ...STRANDS, 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'm-1' },
      [
        event('gen_ai.system.message', { content: '[{"text":"Be brief."},{"cachePoint":{}}]' }),
        event('gen_ai.user.message', {
          content: '[{"text":"Look"},{"image":{"format":"png","source":{"bytes":"<replaced>"}}}]',
        }),
        event('gen_ai.assistant.message', {
          content: '[{"toolUse":{"name":"see","toolUseId":"t1","input":{"x":1}}}]',
        }),
        event('gen_ai.tool.message', {
          content:
            '[{"toolResult":{"toolUseId":"t1","status":"success","content":[{"text":"ok"}]}}]',
        }),
        event('gen_ai.choice', { finish_reason: 'endTurn', message: '[{"text":"Done"}]' }),
      ],
    );
    expect(translated).toMatchObject({
      spanType: 'CHAT_MODEL',
      model: 'm-1',
      provider: 'strands-agents',
      inputs: [
        // A cache point carries no content; other blocks keep theirs under their kind.
        { role: 'system', parts: [{ type: 'text', content: 'Be brief.' }] },
        {
          role: 'user',
          parts: [
            { type: 'text', content: 'Look' },
            { type: 'image', content: { format: 'png', source: { bytes: '<replaced>' } } },
          ],
        },
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 't1', name: 'see', arguments: { x: 1 } }],
        },
        {
          role: 'tool',
          parts: [{ type: 'tool_call_response', id: 't1', response: [{ text: 'ok' }] }],
        },
      ],
      outputs: [
        { role: 'assistant', parts: [{ type: 'text', content: 'Done' }], finish_reason: 'endTurn' },
      ],
    });
  });

  it("an answer with a tool call, in the shape of Strands's gen_ai.choice", () => {
    const { outputs } = translateAttributes({ ...STRANDS, 'gen_ai.operation.name': 'chat' }, [
      event('gen_ai.choice', {
        finish_reason: 'toolUse',
        message: '[{"type":"toolUse","name":"see","toolUseId":"t1","input":{"x":1}}]',
      }),
    ]);
    expect(outputs).toEqual([
      {
        role: 'assistant',
        parts: [{ type: 'tool_call', id: 't1', name: 'see', arguments: { x: 1 } }],
        finish_reason: 'toolUse',
      },
    ]);
  });

  it('agents (one or many) are AGENT with the answer text; nodes CHAIN; the loop cycle stays UNKNOWN', () => {
    const answer = [event('gen_ai.choice', { message: 'Sunny.', finish_reason: 'endTurn' })];
    expect(
      translateAttributes({ ...STRANDS, 'gen_ai.operation.name': 'invoke_agent' }, answer),
    ).toMatchObject({ spanType: 'AGENT', outputs: 'Sunny.' });
    expect(
      translateAttributes({ ...STRANDS, 'gen_ai.operation.name': 'invoke_swarm' }, []).spanType,
    ).toBe('AGENT');
    expect(
      translateAttributes({ ...STRANDS, 'gen_ai.operation.name': 'execute_node' }, []).spanType,
    ).toBe('CHAIN');
    expect(
      translateAttributes({ ...STRANDS, 'agent_loop.cycle_id': 'c-1' }, [
        event('gen_ai.user.message', { content: '[{"text":"Hi"}]' }),
      ]),
    ).toMatchObject({
      spanType: undefined,
      inputs: [{ role: 'user', parts: [{ type: 'text', content: 'Hi' }] }],
    });
  });

  it("a tool span: the tool's input and its result content, as MLflow's autolog reads them", () => {
    expect(
      translateAttributes({ ...STRANDS, 'gen_ai.operation.name': 'execute_tool' }, [
        event('gen_ai.tool.message', { role: 'tool', content: '{"city":"Paris"}', id: 't1' }),
        event('gen_ai.choice', { message: '[{"json":{"sky":"sunny"}}]', id: 't1' }),
      ]),
    ).toMatchObject({
      spanType: 'TOOL',
      inputs: { city: 'Paris' },
      outputs: [{ json: { sky: 'sunny' } }],
    });
  });

  it('reads the events of no other instrumentation', () => {
    const translated = translateAttributes({ 'gen_ai.operation.name': 'chat' }, [
      event('gen_ai.user.message', { content: '[{"text":"Hi"}]' }),
      event('gen_ai.choice', { message: '[{"text":"Hello"}]' }),
    ]);
    expect(translated).toMatchObject({ spanType: 'CHAT_MODEL' });
    expect(translated.inputs).toBeUndefined();
    expect(translated.outputs).toBeUndefined();
  });
});
