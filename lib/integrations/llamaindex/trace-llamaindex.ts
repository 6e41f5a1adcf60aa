import { runWithActive, spanStorage } from '../../tracing/span-context';
import { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { startSpan } from '../../tracing/start-span';
import { tracerFor } from '../../tracing/tracer-registry';
import {
  checkSdkClient,
  LlmAttribute,
  pathOf,
  runSdkCall,
  safely,
  warnWhenNothingTraced,
} from '../shared';
import {
  classOf,
  EVENT_HANDLERS,
  handlerFor,
  llmCalls,
  openRetrieval,
  runs,
  whenLlmSeen,
  type LlmCall,
} from './llamaindex-events';
import { queryText } from './llamaindex-messages';

type Json = Record<string, unknown>;
type Method = (...args: unknown[]) => unknown;

const tracedManagers = new WeakSet<object>();

/**
 * Traces LlamaIndex.TS (`llamaindex`, `@llamaindex/*`) as MLflow's Python
 * `mlflow.llama_index.autolog()` traces LlamaIndex. Given LlamaIndex's `Settings`, it listens to
 * its callback events: each model call becomes a CHAT_MODEL span (`OpenAI.chat`: the messages
 * in the `llamaindex` format, model, provider, token usage, streamed chunks as events), each
 * tool an agent calls a TOOL span, each retrieval a RETRIEVER span (query in, documents out),
 * each query engine call and synthesis a CHAIN span; `Settings.embedModel` calls become
 * EMBEDDING spans, and failed calls of `Settings.llm` (or of an LLM already seen) ERROR spans.
 * Given an agent workflow (`agent({ llm, tools })`), it records its `run()` as an AGENT span the
 * model and tool calls nest under. Spans nest under the active `@Trace` span or request.
 * The library never imports LlamaIndex; returns `target`.
 *
 * ```ts
 * traceLlamaIndex(Settings);
 * const assistant = traceLlamaIndex(agent({ llm, tools: [getWeather] }));
 * ```
 */
export function traceLlamaIndex<T extends object>(target: T): T {
  checkSdkClient('traceLlamaIndex', target, 'traceLlamaIndex(Settings)');
  const traced = [
    traceSettings(target),
    traceAgentWorkflow(target),
    traceLlm(target),
    traceEmbedding(target),
  ];
  warnWhenNothingTraced(
    'traceLlamaIndex',
    traced.includes(true),
    'Settings.callbackManager, run (an agent workflow), chat (an LLM), getQueryEmbedding (an embedding model)',
  );
  return target;
}

whenLlmSeen((llm) => safely(() => traceLlm(llm)));

/** LlamaIndex's `Settings`: its callback events, its LLM and embedding model, now and later. */
function traceSettings(settings: object): boolean {
  if (!('callbackManager' in settings) || typeof pathOf(settings, 'withLLM') !== 'function')
    return false;
  const manager = pathOf(settings, 'callbackManager') as { on?: unknown } | undefined;
  if (typeof manager?.on !== 'function') return false;
  if (!tracedManagers.has(manager)) {
    tracedManagers.add(manager);
    for (const [event, handler] of Object.entries(EVENT_HANDLERS))
      (manager.on as (event: string, handler: (event: unknown) => void) => void).call(
        manager,
        event,
        handlerFor(handler),
      );
  }
  traceAssigned(settings, 'llm', traceLlm);
  traceAssigned(settings, 'embedModel', traceEmbedding);
  return true;
}

/** Traces the value of `settings[key]` and every value assigned to it later. */
function traceAssigned(settings: object, key: string, trace: (value: unknown) => boolean): void {
  safely(() => trace((settings as Json)[key])); // throws while none is set
  const descriptor = accessorOf(settings, key);
  const set = descriptor?.set;
  if (!descriptor?.configurable || set === undefined || tracedSetters.has(set)) return;
  const traced = function (this: unknown, value: unknown) {
    set.call(this, value);
    safely(() => trace(value));
  };
  tracedSetters.add(traced);
  Object.defineProperty(settings, key, { ...descriptor, set: traced });
}

const tracedSetters = new WeakSet<object>();

/** The property's descriptor, own or inherited (`llamaindex` re-exports `Settings` as a class instance). */
function accessorOf(target: object, key: string): PropertyDescriptor | undefined {
  for (let owner: object | null = target; owner !== null; owner = Object.getPrototypeOf(owner)) {
    const descriptor = Object.getOwnPropertyDescriptor(owner, key);
    if (descriptor !== undefined) return descriptor;
  }
  return undefined;
}

/**
 * An LLM's `chat` (its `complete` goes through it): LlamaIndex sends no event when a call fails,
 * so its failure (or a stream that breaks off) ends the call's span as ERROR here. The span
 * itself comes from the `llm-start` event, which claims the call.
 */
function traceLlm(llm: unknown): boolean {
  if (typeof pathOf(llm, 'chat') !== 'function' || typeof pathOf(llm, 'complete') !== 'function')
    return false;
  return patchMethod(
    llm,
    'chat',
    (original) =>
      function (this: unknown, ...args: unknown[]) {
        const call: LlmCall = { params: args[0] };
        let result: unknown;
        try {
          result = llmCalls.run(call, () => original.apply(this, args));
        } catch (error) {
          failCall(call, error);
          throw error;
        }
        if (!isPromise(result)) return result;
        return result.then(
          (value) => watchStream(value, call),
          (error: unknown) => {
            failCall(call, error);
            throw error;
          },
        );
      },
  );
}

function failCall(call: LlmCall, error: unknown): void {
  if (call.id !== undefined) runs.fail(call.id, error);
}

/** A streamed response: an error while it is read ends the call's span as ERROR. */
function watchStream(value: unknown, call: LlmCall): unknown {
  safely(() => {
    if (typeof value !== 'object' || value === null || !(Symbol.asyncIterator in value)) return;
    const stream = value as AsyncIterable<unknown>;
    const iterate = stream[Symbol.asyncIterator].bind(stream);
    Object.defineProperty(stream, Symbol.asyncIterator, {
      configurable: true,
      writable: true,
      value: async function* () {
        try {
          yield* { [Symbol.asyncIterator]: iterate };
        } catch (error) {
          failCall(call, error);
          throw error;
        }
      },
    });
  });
  return value;
}

/** An embedding model's query and batch embeddings as EMBEDDING spans (it sends no events). */
function traceEmbedding(model: unknown): boolean {
  // LlamaIndex's embedding models are callable (a `TransformComponent` is a function).
  if (
    typeof memberOf(model, 'getQueryEmbedding') !== 'function' ||
    typeof memberOf(model, 'getTextEmbeddingsBatch') !== 'function'
  )
    return false;
  const describe = (span: SpanRecord, inputs: unknown) => {
    span.setInputs(inputs);
    const name = memberOf(model, 'model');
    if (typeof name === 'string') {
      span.setAttribute('model_name', name);
      span.setAttribute(LlmAttribute.MODEL, name);
    }
    const provider = classOf(model);
    if (provider !== undefined) span.setAttribute(LlmAttribute.PROVIDER, provider.toLowerCase());
    const batch = memberOf(model, 'embedBatchSize');
    if (batch !== undefined) span.setAttribute('embed_batch_size', batch);
  };
  const wrap = (method: string, inputs: (args: unknown[]) => unknown) =>
    patchMethod(
      model,
      method,
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const active = spanStorage.getStore();
          // One microtask first: LlamaIndex sends `retrieve-start` in one, and the embedding of a
          // retrieval's query nests under the retrieval's span.
          return Promise.resolve().then(() => {
            let span: ReturnType<typeof startSpan>;
            try {
              const parent = openRetrieval(active) ?? active;
              span = startSpan(
                `${classOf(model) ?? 'BaseEmbedding'}.${method}`,
                SpanType.EMBEDDING,
                parent,
                parent === undefined ? tracerFor(model) : undefined,
              );
              if (span instanceof SpanRecord) describe(span, inputs(args));
            } catch {
              span = undefined;
            }
            if (!(span instanceof SpanRecord)) return original.apply(this, args);
            let result: unknown;
            try {
              result = runWithActive(span, original, this, args);
            } catch (error) {
              span.recordException(error);
              span.end();
              throw error;
            }
            return settle(span, result);
          });
        },
    );
  const query = wrap('getQueryEmbedding', (args) => ({ query: queryText(args[0]) }));
  const batch = wrap('getTextEmbeddingsBatch', (args) => ({ texts: args[0] }));
  return query || batch;
}

/**
 * An agent workflow (`agent()`, `multiAgent()` from `@llamaindex/workflow`): `run()` as an AGENT
 * span, the user's message in and the final message out. A run that fails ends it, and the
 * tool or model span that failed, as ERROR.
 */
function traceAgentWorkflow(workflow: unknown): boolean {
  if (
    typeof pathOf(workflow, 'run') !== 'function' ||
    typeof pathOf(workflow, 'runStream') !== 'function'
  )
    return false;
  return patchMethod(
    workflow,
    'run',
    (original: Method) =>
      function (this: unknown, ...args: unknown[]) {
        return runSdkCall(
          workflow as object,
          {
            name: `${classOf(workflow) ?? 'AgentWorkflow'}.run`,
            spanType: SpanType.AGENT,
            describe: (span) => span.setInputs({ user_msg: args[0] }),
          },
          () => original.apply(this, args),
          (span, result) =>
            settle(span, result, (value) => {
              const data = pathOf(value, 'data') as Json | undefined;
              return { message: data?.message, result: data?.result };
            }),
        );
      },
  );
}

/** Ends the span when the call's promise settles: its value as outputs, its error as ERROR. */
function settle<T>(
  span: SpanRecord,
  result: T,
  outputs: (value: unknown) => unknown = (v) => v,
): T {
  if (!isPromise(result)) {
    span.end(outputs(result));
    return result;
  }
  return result.then(
    (value) => {
      safely(() => span.setOutputs(outputs(value)));
      span.end();
      return value;
    },
    (error: unknown) => {
      runs.failBelow(span, error);
      span.recordException(error);
      span.end();
      throw error;
    },
  ) as T;
}

/** `target[key]` of an object or a callable one. */
function memberOf(target: unknown, key: string): unknown {
  if ((typeof target !== 'object' && typeof target !== 'function') || target === null)
    return undefined;
  return (target as Record<string, unknown>)[key];
}

/** Methods already traced, per object: tracing an object twice traces each call once. */
const patched = new WeakMap<object, Set<string>>();

/** Replaces `owner[name]` by `wrap(original)` as an own property of that one object (or callable), once. */
function patchMethod(owner: unknown, name: string, wrap: (original: Method) => Method): boolean {
  const original = memberOf(owner, name);
  if (typeof original !== 'function') return false;
  const target = owner as object;
  let names = patched.get(target);
  if (names === undefined) patched.set(target, (names = new Set()));
  if (names.has(name)) return true;
  const wrapped = wrap(original as Method);
  Object.defineProperty(wrapped, 'name', { value: original.name, configurable: true });
  Object.defineProperty(target, name, { value: wrapped, writable: true, configurable: true });
  names.add(name);
  return true;
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
