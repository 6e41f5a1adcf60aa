import { AsyncLocalStorage } from 'node:async_hooks';
import { spanStorage } from '../../tracing/span-context';
import { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { LlmAttribute, pathOf, safely, type ChatTool } from '../shared';
import {
  chatInputs,
  chatOutputs,
  chatUsage,
  LLAMAINDEX_MESSAGE_FORMAT,
  providerUsage,
  queryText,
  retrievedDocuments,
} from './llamaindex-messages';
import { OpenRuns } from '../shared/open-runs';

type Json = Record<string, unknown>;

/** Streamed chunks recorded as span events per model call; the rest only count. */
const MAX_CHUNK_EVENTS = 1_000;
/** Query engines and synthesizers open at once; a query that never ends must not pin memory. */
const MAX_CONTAINERS = 10_000;

/** One traced LLM call (`chat` of an LLM given to `traceLlamaIndex`): its request and event id. */
export interface LlmCall {
  readonly params: unknown;
  id?: string;
}

/** The traced LLM call in progress; its `llm-start` event (sent in the same context) claims it. */
export const llmCalls = new AsyncLocalStorage<LlmCall>();

/** Every span of LlamaIndex events, whichever `Settings` sent them. */
export const runs = new OpenRuns({});

/**
 * Open query engine and synthesizer spans per LlamaIndex `EventCaller` (one per call of a
 * decorated method): events sent below that call nest under the innermost one.
 */
const containers = new Map<string, string[]>();
const chunkCounts = new WeakMap<SpanRecord, number>();
/** Open retrievals per span active where they started: the query's embedding nests under them. */
const retrievals = new WeakMap<object, string[]>();

/** The innermost retrieval open under `active` (the embedding of its query belongs to it). */
export function openRetrieval(active: unknown): SpanRecord | undefined {
  if (typeof active !== 'object' || active === null) return undefined;
  const open = retrievals.get(active);
  return open === undefined ? undefined : runs.span(open[open.length - 1]);
}

/** LLM instances seen in events, so their later failures can be recorded (`onLlm`). */
let onLlm: (llm: unknown) => void = () => undefined;

export function whenLlmSeen(hook: (llm: unknown) => void): void {
  onLlm = hook;
}

type EventHandler = (detail: Json, reason: unknown) => void;

/** MLflow spans for LlamaIndex.TS's callback events (`Settings.callbackManager`). */
export const EVENT_HANDLERS: Record<string, EventHandler> = {
  'llm-start': (detail, reason) => {
    const id = String(detail.id);
    const call = llmCalls.getStore();
    if (call !== undefined && call.id === undefined) call.id = id;
    const llm = pathOf(reason, 'caller');
    if (llm !== undefined) onLlm(llm);
    failToolsReportedFailed(detail.messages);
    runs.start(
      id,
      parentOf(reason),
      `${classOf(llm) ?? 'LLM'}.chat`,
      SpanType.CHAT_MODEL,
      (span) => {
        span.setInputs(chatInputs(detail.messages));
        span.setAttribute(LlmAttribute.MESSAGE_FORMAT, LLAMAINDEX_MESSAGE_FORMAT);
        describeLlm(span, llm);
        const tools = chatTools(pathOf(call?.params, 'tools'));
        if (tools.length > 0) span.setAttribute(LlmAttribute.CHAT_TOOLS, tools);
      },
    );
  },
  'llm-stream': (detail) => {
    const span = runs.span(String(detail.id));
    if (span === undefined) return;
    const index = chunkCounts.get(span) ?? 0;
    chunkCounts.set(span, index + 1);
    if (index >= MAX_CHUNK_EVENTS) return;
    const chunk = detail.chunk as Json | undefined;
    span.addEvent(`mlflow.chunk.item.${index}`, {
      'mlflow.chunk.value': JSON.stringify(chunk?.raw ?? chunk ?? null),
    });
  },
  'llm-end': (detail) => {
    runs.end(String(detail.id), (span) => {
      span.setOutputs(chatOutputs(detail.response));
      const usage = chatUsage(detail.response);
      if (usage) {
        span.setAttribute('usage', providerUsage(detail.response));
        span.setTokenUsage(usage);
      }
    });
  },
  'llm-tool-call': (detail) => {
    const toolCall = detail.toolCall as Json | undefined;
    const name = String(toolCall?.name ?? 'tool');
    runs.start(toolKey(toolCall), undefined, name, SpanType.TOOL, (span) => {
      span.setInputs(toolCall?.input);
      span.setAttribute('name', name);
    });
  },
  'llm-tool-result': (detail) => {
    runs.end(toolKey(detail.toolCall as Json | undefined), (span) => {
      const result = detail.toolResult as Json | undefined;
      span.setOutputs(result?.output);
      const metadata = pathOf(result, 'tool', 'metadata') as Json | undefined;
      if (metadata !== undefined)
        span.setAttributes({ description: metadata.description, parameters: metadata.parameters });
      if (result?.isError === true) span.recordException(new Error(String(result.output)));
    });
  },
  'retrieve-start': (detail, reason) => {
    const id = String(detail.id);
    runs.start(id, parentOf(reason), 'BaseRetriever.retrieve', SpanType.RETRIEVER, (span) =>
      span.setInputs({ query: queryText(detail.query) }),
    );
    const active = spanStorage.getStore();
    if (typeof active === 'object' && runs.has(id))
      retrievals.set(active, [...(retrievals.get(active) ?? []), id]);
  },
  'retrieve-end': (detail) => {
    const id = String(detail.id);
    const active = spanStorage.getStore();
    if (typeof active === 'object') {
      const open = (retrievals.get(active) ?? []).filter((other) => other !== id);
      if (open.length > 0) retrievals.set(active, open);
      else retrievals.delete(active);
    }
    runs.end(id, (span) => span.setOutputs(retrievedDocuments(detail.nodes)));
  },
  'query-start': (detail, reason) => {
    const id = String(detail.id);
    const name = `${classOf(pathOf(reason, 'caller')) ?? 'BaseQueryEngine'}.query`;
    runs.start(id, parentOf(reason), name, SpanType.CHAIN, (span) =>
      span.setInputs({ query: queryText(detail.query) }),
    );
    enter(reason, id);
  },
  'query-end': (detail, reason) => {
    const id = String(detail.id);
    leave(reason, id);
    runs.end(id, (span) => span.setOutputs(engineResponse(detail.response)));
  },
  'synthesize-start': (detail, reason) => {
    const id = String(detail.id);
    runs.start(id, parentOf(reason), 'BaseSynthesizer.synthesize', SpanType.CHAIN, (span) =>
      span.setInputs({
        query: queryText(pathOf(detail.query, 'query')),
        nodes: retrievedDocuments(pathOf(detail.query, 'nodes')),
      }),
    );
    enter(reason, id);
  },
  'synthesize-end': (detail, reason) => {
    const id = String(detail.id);
    leave(reason, id);
    runs.end(id, (span) => span.setOutputs(engineResponse(detail.response)));
  },
};

/** Calls a handler with the event's `detail` and `reason`; never throws into LlamaIndex. */
export function handlerFor(handler: EventHandler): (event: unknown) => void {
  return (event) =>
    safely(() => handler((pathOf(event, 'detail') ?? {}) as Json, pathOf(event, 'reason')));
}

/** The innermost open query or synthesis span of the event's caller chain. */
function parentOf(reason: unknown): string | undefined {
  let current = reason;
  for (let depth = 0; depth < 100 && current != null; depth++) {
    const stack = containers.get(String(pathOf(current, 'id')));
    if (stack !== undefined && stack.length > 0) return stack[stack.length - 1];
    current = pathOf(current, 'parent');
  }
  return undefined;
}

function enter(reason: unknown, runId: string): void {
  const key = pathOf(reason, 'id');
  if (typeof key !== 'string' || !runs.has(runId)) return;
  if (containers.size >= MAX_CONTAINERS && !containers.has(key)) containers.clear();
  const stack = containers.get(key) ?? [];
  stack.push(runId);
  containers.set(key, stack);
}

function leave(reason: unknown, runId: string): void {
  const key = pathOf(reason, 'id');
  if (typeof key !== 'string') return;
  const stack = containers.get(key);
  if (stack === undefined) return;
  const at = stack.lastIndexOf(runId);
  if (at >= 0) stack.splice(at, 1);
  if (stack.length === 0) containers.delete(key);
}

/**
 * A tool that threw sends no event: the agent catches the error and hands it to the model as the
 * tool's result (`options.toolResult.isError`). The next model call's messages carry it, so the
 * tool's span ends there as ERROR with that error.
 */
function failToolsReportedFailed(messages: unknown): void {
  if (!Array.isArray(messages)) return;
  for (const message of messages) {
    const result = pathOf(message, 'options', 'toolResult') as Json | undefined;
    if (result?.isError !== true || result.id === undefined) continue;
    const key = toolKey({ id: result.id });
    if (runs.has(key)) runs.fail(key, new Error(String(result.result)));
  }
}

/** A tool call's key: its call id within the span active where the agent runs its tools. */
function toolKey(toolCall: Json | undefined): string {
  const active = spanStorage.getStore();
  const scope = active instanceof SpanRecord ? active.spanIdHex : '-';
  return `tool:${scope}:${String(toolCall?.id ?? toolCall?.name)}`;
}

export function classOf(instance: unknown): string | undefined {
  if ((typeof instance !== 'object' && typeof instance !== 'function') || instance === null)
    return undefined;
  const name = (instance as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' && name !== '' && name !== 'Object' ? name : undefined;
}

/** Model, provider and parameters of the LLM, as Python's `_get_llm_attributes` records them. */
function describeLlm(span: SpanRecord, llm: unknown): void {
  const metadata = pathOf(llm, 'metadata') as Json | undefined;
  const model = metadata?.model ?? pathOf(llm, 'model');
  if (typeof model === 'string') {
    span.setAttribute('model_name', model);
    span.setAttribute(LlmAttribute.MODEL, model);
  }
  if (typeof metadata === 'object' && metadata !== null)
    span.setAttribute('invocation_params', definedOnly(metadata));
  const provider = classOf(llm);
  if (provider !== undefined) span.setAttribute(LlmAttribute.PROVIDER, provider.toLowerCase());
}

function definedOnly(value: Json): Json {
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}

/** LlamaIndex tools (`{ metadata: { name, description, parameters } }`) as the UI lists them. */
function chatTools(tools: unknown): ChatTool[] {
  if (!Array.isArray(tools)) return [];
  return tools
    .map((tool) => pathOf(tool, 'metadata') as Json | undefined)
    .filter((metadata) => typeof metadata?.name === 'string')
    .map((metadata) => ({
      type: 'function',
      function: {
        name: metadata!.name as string,
        description: metadata!.description as string | undefined,
        parameters: metadata!.parameters,
      },
    }));
}

/** An `EngineResponse` as outputs: its text and source nodes, as Python's `Response`. */
function engineResponse(response: unknown): unknown {
  if (typeof response !== 'object' || response === null) return response;
  if (Symbol.asyncIterator in response) return undefined;
  const sourceNodes = pathOf(response, 'sourceNodes');
  return {
    response: pathOf(response, 'message', 'content'),
    ...(Array.isArray(sourceNodes) ? { source_nodes: retrievedDocuments(sourceNodes) } : {}),
  };
}
