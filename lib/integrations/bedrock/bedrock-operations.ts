import type { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { LlmAttribute, type ChatTool } from '../shared';
import { ConverseStreamRecorder, InvokeStreamRecorder, traceEventStream } from './bedrock-stream';
import { bedrockTokenUsage, invokeModelUsage } from './bedrock-usage';

type Json = Record<string, unknown>;

/** How one Bedrock Runtime command is recorded. */
export interface BedrockOperation {
  /** The span name MLflow's Bedrock autolog gives the boto3 method. */
  readonly name: string;
  readonly spanType: string;
  describe(span: SpanRecord, input: Json): void;
  /** Records the command's output; returns false when the span ends later (a stream). */
  record(span: SpanRecord, output: Json): boolean;
}

/** The commands traced, by the `commandName` the SDK puts in the middleware context. */
export const BEDROCK_OPERATIONS: Readonly<Record<string, BedrockOperation>> = {
  ConverseCommand: {
    name: 'BedrockRuntime.converse',
    spanType: SpanType.CHAT_MODEL,
    describe: describeConverse,
    record: (span, output) => {
      span.setOutputs(output);
      const usage = bedrockTokenUsage(output.usage);
      if (usage) span.setTokenUsage(usage);
      return true;
    },
  },
  ConverseStreamCommand: {
    name: 'BedrockRuntime.converse_stream',
    spanType: SpanType.CHAT_MODEL,
    describe: describeConverse,
    record: (span, output) => {
      traceEventStream(span, output.stream, new ConverseStreamRecorder());
      return false;
    },
  },
  InvokeModelCommand: {
    name: 'BedrockRuntime.invoke_model',
    spanType: SpanType.LLM,
    describe: describeInvoke,
    record: (span, output) => {
      const body = decodeBody(output.body);
      // As MLflow's autolog: embedding models answer with an `embedding`.
      if (typeof body === 'object' && body !== null && 'embedding' in body)
        span.setSpanType(SpanType.EMBEDDING);
      span.setOutputs({ ...output, body });
      const usage = invokeModelUsage(body);
      if (usage) span.setTokenUsage(usage);
      return true;
    },
  },
  InvokeModelWithResponseStreamCommand: {
    name: 'BedrockRuntime.invoke_model_with_response_stream',
    spanType: SpanType.LLM,
    describe: describeInvoke,
    record: (span, output) => {
      span.setOutputs({ ...output, body: 'EventStream' });
      traceEventStream(span, output.body, new InvokeStreamRecorder());
      return false;
    },
  },
};

/**
 * As MLflow's Bedrock autolog (`mlflow/bedrock/_autolog.py`): the command's input as inputs,
 * Bedrock's own message format (the UI renders Converse messages), the model id, its provider
 * and the tools of `toolConfig`. Python writes no plain request-parameter attributes for
 * Bedrock, so neither does this.
 */
function describeConverse(span: SpanRecord, input: Json): void {
  span.setInputs(input);
  span.setAttribute(LlmAttribute.MESSAGE_FORMAT, 'bedrock');
  describeModel(span, input.modelId);
  const tools = converseTools(input.toolConfig);
  if (tools.length > 0) span.setAttribute(LlmAttribute.CHAT_TOOLS, tools);
}

/** InvokeModel: the input with its body as the JSON it holds (the model's own request). */
function describeInvoke(span: SpanRecord, input: Json): void {
  span.setInputs(input.body === undefined ? input : { ...input, body: decodeBody(input.body) });
  describeModel(span, input.modelId);
}

/** Cross-region inference profiles prefix the model id with a geography (`us.anthropic.…`). */
const GEOGRAPHIES = new Set(['us', 'eu', 'apac', 'global', 'us-gov', 'jp', 'au', 'ca']);

/**
 * `mlflow.llm.model` is the model id; `mlflow.llm.provider` its first dotted part, as Python
 * does (`anthropic.claude-…` → `anthropic`), past a cross-region prefix (`us.anthropic.…` →
 * `anthropic`, where Python records `us`), so MLflow's cost lookup finds the model.
 */
function describeModel(span: SpanRecord, modelId: unknown): void {
  if (typeof modelId !== 'string' || modelId === '') return;
  span.setAttribute(LlmAttribute.MODEL, modelId);
  if (modelId.startsWith('arn:')) return;
  const parts = modelId.split('.');
  if (parts.length < 2) return;
  const provider = GEOGRAPHIES.has(parts[0]) && parts.length > 2 ? parts[1] : parts[0];
  span.setAttribute(LlmAttribute.PROVIDER, provider);
}

/** `toolConfig.tools[].toolSpec` → MLflow's tool list, as `convert_tool_to_mlflow_chat_tool`. */
function converseTools(toolConfig: unknown): ChatTool[] {
  const tools = (toolConfig as { tools?: unknown } | null)?.tools;
  if (!Array.isArray(tools)) return [];
  const out: ChatTool[] = [];
  for (const tool of tools as Json[]) {
    const spec = tool?.toolSpec as Json | undefined;
    if (typeof spec?.name !== 'string') continue;
    out.push({
      type: 'function',
      function: {
        name: spec.name,
        description: spec.description as string | undefined,
        parameters: (spec.inputSchema as Json | undefined)?.json,
      },
    });
  }
  return out;
}

/** An InvokeModel body (string or bytes) as the JSON it holds, else as text. */
export function decodeBody(body: unknown): unknown {
  let text: string;
  if (typeof body === 'string') text = body;
  else if (body instanceof Uint8Array) text = new TextDecoder().decode(body);
  else return body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
