import type { FinishedSpanEvent } from '../../trace-model';
import { SpanType } from '../../tracing/span-type';
import { parseJsonText, presentValue, type RawAttributes } from './attribute-values';

/** The span's events, as the OpenTelemetry bridge records them. */
export type SpanEvents = readonly Pick<FinishedSpanEvent, 'name' | 'attributes'>[];

/** What Strands's span events say about a span. */
export interface StrandsSpan {
  spanType?: string;
  inputs?: unknown;
  outputs?: unknown;
}

/** Strands Agents stamps every span it opens with this; no other instrumentation does. */
const STRANDS_MARK = 'gen_ai.event.start_time';
/** The event that holds the messages with `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental`. */
const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';
const CHOICE_EVENT = 'gen_ai.choice';
const MESSAGE_ROLES: Readonly<Record<string, string>> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

type Part = Record<string, unknown>;
interface GenAiMessage {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

/**
 * Strands Agents (`@strands-agents/sdk`), as MLflow's Strands autolog reads it
 * (`mlflow/strands/autolog.py`): `invoke_*` spans are agents, `chat` spans chat models,
 * `execute_tool` spans tools; inputs and outputs come from the span's events, where Strands
 * puts the messages. Chat messages become OpenTelemetry GenAI messages (role and parts), which
 * MLflow's chat view renders; an agent's output stays its answer text. `undefined` for spans
 * Strands did not open.
 */
export function translateStrandsSpan(
  attributes: RawAttributes,
  events: SpanEvents,
): StrandsSpan | undefined {
  if (attributes[STRANDS_MARK] === undefined) return undefined;
  const operation = parseJsonText(attributes['gen_ai.operation.name']);
  const isAgent = typeof operation === 'string' && operation.startsWith('invoke_');
  if (operation === 'execute_tool') {
    return {
      spanType: SpanType.TOOL,
      inputs: eventValue(events, 'gen_ai.tool.message', 'content'),
      outputs: eventValue(events, CHOICE_EVENT, 'message'),
    };
  }
  if (isAgent) {
    return {
      spanType: SpanType.AGENT,
      inputs: inputMessages(events),
      outputs: eventValue(events, CHOICE_EVENT, 'message') ?? outputMessages(events),
    };
  }
  return {
    spanType: operation === 'chat' ? SpanType.CHAT_MODEL : undefined,
    inputs: inputMessages(events),
    outputs: outputMessages(events),
  };
}

function inputMessages(events: SpanEvents): GenAiMessage[] | undefined {
  const messages: GenAiMessage[] = [];
  for (const event of events) {
    const role = MESSAGE_ROLES[event.name];
    if (role !== undefined) {
      pushMessage(messages, role, presentValue(event.attributes, 'content'));
    } else if (event.name === DETAILS_EVENT) {
      const system = presentValue(event.attributes, 'gen_ai.system_instructions');
      if (Array.isArray(system)) messages.push({ role: 'system', parts: system as Part[] });
      const input = presentValue(event.attributes, 'gen_ai.input.messages');
      if (Array.isArray(input)) messages.push(...(input as GenAiMessage[]));
    }
  }
  return messages.length > 0 ? messages : undefined;
}

function outputMessages(events: SpanEvents): GenAiMessage[] | undefined {
  const messages: GenAiMessage[] = [];
  for (const event of events) {
    if (event.name === CHOICE_EVENT) {
      const finish = event.attributes.finish_reason;
      pushMessage(messages, 'assistant', presentValue(event.attributes, 'message'));
      if (typeof finish === 'string' && messages.length > 0)
        messages[messages.length - 1].finish_reason = finish;
    } else if (event.name === DETAILS_EVENT) {
      const output = presentValue(event.attributes, 'gen_ai.output.messages');
      if (Array.isArray(output)) messages.push(...(output as GenAiMessage[]));
    }
  }
  return messages.length > 0 ? messages : undefined;
}

function pushMessage(messages: GenAiMessage[], role: string, content: unknown): void {
  const blocks = Array.isArray(content) ? content : content === undefined ? [] : [content];
  const parts = blocks.map(toPart).filter((part): part is Part => part !== undefined);
  if (parts.length > 0) messages.push({ role, parts });
}

/**
 * One Strands content block (Bedrock's shape: `{ text }`, `{ toolUse }`, `{ toolResult }`, or
 * the `{ type: 'toolUse', … }` of a model's answer) as an OpenTelemetry GenAI part. A cache
 * point carries no content and is left out; other blocks keep their content under their kind.
 */
function toPart(block: unknown): Part | undefined {
  if (typeof block === 'string') return { type: 'text', content: block };
  if (typeof block !== 'object' || block === null) return undefined;
  const b = block as Record<string, unknown>;
  if (typeof b.text === 'string') return { type: 'text', content: b.text };
  const toolUse = (b.type === 'toolUse' ? b : b.toolUse) as Record<string, unknown> | undefined;
  if (toolUse !== undefined && typeof toolUse === 'object')
    return {
      type: 'tool_call',
      id: toolUse.toolUseId,
      name: toolUse.name,
      arguments: toolUse.input,
    };
  const result = (b.type === 'toolResult' ? b : b.toolResult) as
    Record<string, unknown> | undefined;
  if (result !== undefined && typeof result === 'object')
    return { type: 'tool_call_response', id: result.toolUseId, response: result.content };
  const [kind] = Object.keys(b);
  if (kind === undefined || kind === 'cachePoint') return undefined;
  return { type: kind, content: b[kind] };
}

/** A value of the first event of that name, its JSON text parsed. */
function eventValue(events: SpanEvents, name: string, key: string): unknown {
  const event = events.find((candidate) => candidate.name === name);
  return event === undefined ? undefined : presentValue(event.attributes, key);
}
