import type { SpanRecord } from '../../tracing/span-record';
import { LlmAttribute, pathOf, setRequestParameters, type ChatTool } from '../shared';

/** Request fields Python's autolog keeps out of the attributes: they are the inputs' messages. */
export const OPENAI_MESSAGE_PARAMETERS = ['messages', 'input'] as const;

/**
 * Records a request the way MLflow's OpenAI autolog does: the body as inputs, every other
 * parameter as a plain attribute (`model`, `temperature`, `stream`, `tools`…), chat attributes.
 * `provider`: the `mlflow.llm.provider` of the client's endpoint (see `openAIProvider`).
 */
export function describeOpenAIRequest(
  provider: string,
): (span: SpanRecord, body: Record<string, unknown>) => void {
  return (span, body) => describeRequest(span, body, provider);
}

function describeRequest(span: SpanRecord, body: Record<string, unknown>, provider: string): void {
  span.setInputs(body);
  setRequestParameters(span, body, OPENAI_MESSAGE_PARAMETERS);
  span.setAttribute(LlmAttribute.PROVIDER, provider);
  if (typeof body.model === 'string') span.setAttribute(LlmAttribute.MODEL, body.model);
  if (span.spanType === 'CHAT_MODEL' || span.spanType === 'LLM')
    span.setAttribute(LlmAttribute.MESSAGE_FORMAT, 'openai');
  const tools = chatTools(body.tools);
  if (tools.length > 0) span.setAttribute(LlmAttribute.CHAT_TOOLS, tools);
}

/**
 * Records a response with `record`, then its `model` as the span's model, as Python's
 * `set_span_chat_attributes` does: the model that answered wins over the request's (an Azure
 * deployment name, an alias), for chat completions, Responses and embeddings, streamed or not.
 */
export function withResponseModel(
  record: (span: SpanRecord, value: unknown) => void,
): (span: SpanRecord, value: unknown) => void {
  return (span, value) => {
    record(span, value);
    const model = pathOf(value, 'model');
    if (typeof model === 'string' && model !== '') span.setAttribute(LlmAttribute.MODEL, model);
  };
}

/** Chat Completions tools are already `{type:'function', function}`; Responses tools are flat. */
function chatTools(tools: unknown): ChatTool[] {
  if (!Array.isArray(tools)) return [];
  const out: ChatTool[] = [];
  for (const tool of tools as Record<string, unknown>[]) {
    if (tool?.type !== 'function') continue;
    if (typeof tool.function === 'object' && tool.function !== null) {
      out.push({ type: 'function', function: tool.function as ChatTool['function'] });
    } else if (typeof tool.name === 'string') {
      out.push({
        type: 'function',
        function: {
          name: tool.name,
          description: tool.description as string,
          parameters: tool.parameters,
        },
      });
    }
  }
  return out;
}
