import type { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { LlmAttribute, pathOf, setRequestParameters } from '../shared';
import { llmResultOutputs, toChatMessage } from './langchain-messages';
import type { OpenRuns } from '../shared/open-runs';
import { llmResultUsage } from './langchain-usage';
import { langChainValue } from './langchain-values';

type Json = Record<string, unknown>;

/** Streamed-token events kept per model span (`new_token`), like MLflow's chunk cap. */
const MAX_TOKEN_EVENTS = 1000;

/** `serialized.name`, else the last part of `serialized.id` (LangChain's class path). */
function serializedName(serialized: unknown, fallback: string): string {
  const name = pathOf(serialized, 'name');
  if (typeof name === 'string' && name) return name;
  const id = pathOf(serialized, 'id');
  return Array.isArray(id) && id.length > 0 ? String(id[id.length - 1]) : fallback;
}

/**
 * A run's callback arguments as plain attributes, as MLflow's Python LangChain tracer writes
 * them (`mlflow/langchain/langchain_tracer.py`: `kwargs.update({"metadata": metadata})` when
 * there is metadata, then `attributes=kwargs`): for a model, `invocation_params`, `options` and
 * `batch_size`; for every run, `metadata` when it has any.
 */
function describeRun(span: SpanRecord, extraParams: unknown, metadata: unknown): void {
  setRequestParameters(span, withoutAbortSignal(extraParams), []);
  if (typeof metadata === 'object' && metadata !== null && Object.keys(metadata).length > 0)
    span.setAttribute('metadata', metadata);
}

/**
 * The run's arguments without the `AbortSignal` LangChain.js passes in a model's `options` (in
 * a LangGraph node, say): not a request parameter, and it records as `{}`.
 */
function withoutAbortSignal(extraParams: unknown): unknown {
  const options = pathOf(extraParams, 'options');
  const signal = pathOf(options, 'signal');
  if (Object.prototype.toString.call(signal) !== '[object AbortSignal]') return extraParams;
  const { signal: _signal, ...rest } = options as Json;
  return { ...(extraParams as Json), options: rest };
}

function describeModel(span: SpanRecord, extraParams: unknown, metadata: unknown): void {
  const params = (pathOf(extraParams, 'invocation_params') ?? {}) as Json;
  const meta = (metadata ?? {}) as Json;
  describeRun(span, extraParams, metadata);
  span.setAttribute(LlmAttribute.MESSAGE_FORMAT, 'langchain');
  const model = params.model ?? params.model_name ?? params.modelName ?? meta.ls_model_name;
  if (typeof model === 'string') span.setAttribute(LlmAttribute.MODEL, model);
  if (typeof meta.ls_provider === 'string')
    span.setAttribute(LlmAttribute.PROVIDER, meta.ls_provider);
  if (Array.isArray(params.tools) && params.tools.length > 0)
    span.setAttribute(LlmAttribute.CHAT_TOOLS, params.tools);
}

function endModel(span: SpanRecord, output: unknown): void {
  span.setOutputs(llmResultOutputs(output));
  const usage = llmResultUsage(output);
  if (usage) span.setTokenUsage(usage);
}

function toolInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

/** Chat inputs as MLflow's chat view reads them: `{ messages }` for the usual single batch. */
function chatInputs(batches: unknown): unknown {
  const converted = (batches as unknown[][]).map((batch) => batch.map(toChatMessage));
  return converted.length === 1 ? { messages: converted[0] } : converted;
}

/** `handleChatModelStart` / `handleLLMStart`: the same arguments, messages or prompts second. */
function modelStart(
  runs: OpenRuns,
  spanType: string,
  fallbackName: string,
  toInputs: (input: unknown) => unknown,
) {
  return (
    llm: unknown,
    input: unknown,
    runId: string,
    parentRunId?: string,
    extraParams?: unknown,
    _tags?: string[],
    metadata?: unknown,
    runName?: string,
  ) =>
    runs.start(
      runId,
      parentRunId,
      runName ?? serializedName(llm, fallbackName),
      spanType,
      (span) => {
        span.setInputs(toInputs(input));
        describeModel(span, extraParams, metadata);
      },
    );
}

/**
 * LangChain's callback methods, with the argument lists `@langchain/core`'s callback manager
 * really passes (for chains: parentRunId 4th and runName 8th, unlike its declared types),
 * recording into `runs`. Mixed into the `BaseCallbackHandler` subclass.
 */
export function langChainCallbacks(runs: OpenRuns) {
  return {
    handleChainStart(
      chain: unknown,
      inputs: unknown,
      runId: string,
      parentRunId?: string,
      _tags?: string[],
      metadata?: unknown,
      _runType?: string,
      runName?: string,
    ) {
      runs.start(
        runId,
        parentRunId,
        runName ?? serializedName(chain, 'chain'),
        SpanType.CHAIN,
        (span) => {
          span.setInputs(langChainValue(inputs));
          describeRun(span, undefined, metadata);
        },
      );
    },
    handleChainEnd(outputs: unknown, runId: string) {
      runs.end(runId, (span) => span.setOutputs(langChainValue(outputs)));
    },
    handleChainError(error: unknown, runId: string) {
      runs.fail(runId, error);
    },
    handleChatModelStart: modelStart(runs, SpanType.CHAT_MODEL, 'chat model', chatInputs),
    handleLLMStart: modelStart(runs, SpanType.LLM, 'llm', (prompts) => prompts),
    handleLLMNewToken(token: string, _idx: unknown, runId: string) {
      const span = runs.span(runId);
      if (span !== undefined && span.events.length < MAX_TOKEN_EVENTS)
        span.addEvent('new_token', { token });
    },
    handleLLMEnd(output: unknown, runId: string) {
      runs.end(runId, (span) => endModel(span, output));
    },
    handleLLMError(error: unknown, runId: string) {
      runs.fail(runId, error);
    },
    handleToolStart(
      tool: unknown,
      input: unknown,
      runId: string,
      parentRunId?: string,
      _tags?: string[],
      metadata?: unknown,
      runName?: string,
    ) {
      runs.start(
        runId,
        parentRunId,
        runName ?? serializedName(tool, 'tool'),
        SpanType.TOOL,
        (span) => {
          span.setInputs(toolInput(input));
          describeRun(span, undefined, metadata);
        },
      );
    },
    handleToolEnd(output: unknown, runId: string) {
      runs.end(runId, (span) => span.setOutputs(langChainValue(output)));
    },
    handleToolError(error: unknown, runId: string) {
      runs.fail(runId, error);
    },
    handleRetrieverStart(
      retriever: unknown,
      query: string,
      runId: string,
      parentRunId?: string,
      _tags?: string[],
      metadata?: unknown,
      name?: string,
    ) {
      runs.start(
        runId,
        parentRunId,
        name ?? serializedName(retriever, 'retriever'),
        SpanType.RETRIEVER,
        (span) => {
          span.setInputs(query);
          describeRun(span, undefined, metadata);
        },
      );
    },
    handleRetrieverEnd(documents: unknown[], runId: string) {
      runs.end(runId, (span) =>
        span.setOutputs(
          documents.map((doc) => ({
            page_content: pathOf(doc, 'pageContent'),
            metadata: pathOf(doc, 'metadata'),
            id: pathOf(doc, 'id'),
          })),
        ),
      );
    },
    handleRetrieverError(error: unknown, runId: string) {
      runs.fail(runId, error);
    },
  };
}
