import type { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { ChatChunkAccumulator } from '../openai';
import {
  checkSdkClient,
  LlmAttribute,
  pathOf,
  requestBody,
  snakeCaseKeys,
  tokenUsage,
  traceMethod,
  warnWhenNothingTraced,
  type ChatTool,
  type StreamAccumulator,
  type TracedMethod,
} from '../shared';

type Json = Record<string, unknown>;

/** The user's own data (tool schemas and arguments), kept as it is. */
const OPAQUE = new Set(['parameters', 'arguments', 'schema_definition', 'metadata']);

/**
 * A request or response in the API's own snake_case (the SDK's objects are camelCase), as
 * MLflow's Python SDK records them and MLflow's UI reads the `mistral` message format.
 */
const wire = (value: unknown) => snakeCaseKeys(value, OPAQUE) as Json;

function recordMistralResult(span: SpanRecord, value: unknown): void {
  const outputs = wire(value);
  span.setOutputs(outputs);
  const usage = outputs?.usage as Json | undefined;
  if (typeof usage !== 'object' || usage === null) return;
  const recorded = tokenUsage(usage.prompt_tokens, usage.completion_tokens, usage.total_tokens);
  if (recorded) span.setTokenUsage(recorded);
}

/**
 * As `mlflow/mistral/autolog.py`: the request as inputs, the `mistral` message format (chat
 * only), the model, the tools. Python writes no plain parameter attributes for Mistral, so
 * neither do we; the provider `mistral` is added for MLflow's cost lookup.
 */
function describeMistralRequest(span: SpanRecord, body: Json): void {
  const inputs = wire(body);
  span.setInputs(inputs);
  if (span.spanType === SpanType.CHAT_MODEL)
    span.setAttribute(LlmAttribute.MESSAGE_FORMAT, 'mistral');
  if (typeof body.model === 'string' && body.model !== '') {
    span.setAttribute(LlmAttribute.MODEL, body.model);
    span.setAttribute(LlmAttribute.PROVIDER, 'mistral');
  }
  if (!Array.isArray(inputs.tools)) return;
  const tools = (inputs.tools as Json[])
    .map((tool) => tool?.function as Json | undefined)
    .filter((fn): fn is Json => typeof fn?.name === 'string')
    .map((fn): ChatTool => ({
      type: 'function',
      function: {
        name: fn.name as string,
        ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
        parameters: fn.parameters,
      },
    }));
  if (tools.length > 0) span.setAttribute(LlmAttribute.CHAT_TOOLS, tools);
}

/** Stream events are `{ data: CompletionChunk }`: the chunks rebuilt into one completion. */
class CompletionEventAccumulator implements StreamAccumulator {
  private readonly chunks = new ChatChunkAccumulator(recordMistralResult);

  add(event: unknown): void {
    const data = pathOf(event, 'data');
    if (typeof data === 'object' && data !== null) this.chunks.add(wire(data));
  }

  finish(span: SpanRecord): void {
    this.chunks.finish(span);
  }
}

function mistralMethod(name: string, spanType: string, stream: boolean): TracedMethod {
  return {
    start: (args) => ({
      name,
      spanType,
      describe: (span) => describeMistralRequest(span, requestBody(args)),
    }),
    recorder: () => ({
      recordResult: recordMistralResult,
      stream: stream ? () => new CompletionEventAccumulator() : undefined,
    }),
  };
}

/**
 * Traces a Mistral client (`@mistralai/mistralai`) in place and returns it: `chat.complete`,
 * `chat.stream` and `embeddings.create` become `Chat.complete` / `Chat.stream` (CHAT_MODEL, as
 * MLflow's Python Mistral autolog names them) and `Embeddings.create` (EMBEDDING) spans under
 * the active `@Trace` span or request. The package is never imported by this library.
 *
 * No client at all (`undefined`, a string) throws a TypeError; an object without those methods
 * is returned untouched with a warning.
 *
 * ```ts
 * { provide: Mistral, useFactory: () => traceMistral(new Mistral({ apiKey })) }
 * ```
 */
export function traceMistral<T extends object>(client: T): T {
  checkSdkClient('traceMistral', client, 'traceMistral(new Mistral({ apiKey }))');
  const chat = pathOf(client, 'chat');
  const traced = [
    traceMethod(client, chat, 'complete', mistralMethod('Chat.complete', 'CHAT_MODEL', false)),
    traceMethod(client, chat, 'stream', mistralMethod('Chat.stream', 'CHAT_MODEL', true)),
    traceMethod(
      client,
      pathOf(client, 'embeddings'),
      'create',
      mistralMethod('Embeddings.create', 'EMBEDDING', false),
    ),
  ];
  warnWhenNothingTraced(
    'traceMistral',
    traced.includes(true),
    'chat.complete, chat.stream, embeddings.create',
  );
  return client;
}
