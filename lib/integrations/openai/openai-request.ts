import type { SpanRecord } from '../../tracing/span-record';
import { LlmAttribute, type ChatTool } from '../shared';

/** Records a request the way MLflow's OpenAI autolog does: the body as inputs, chat attributes. */
export function describeOpenAIRequest(span: SpanRecord, body: Record<string, unknown>): void {
  span.setInputs(body);
  span.setAttribute(LlmAttribute.PROVIDER, 'openai');
  if (typeof body.model === 'string') span.setAttribute(LlmAttribute.MODEL, body.model);
  if (span.spanType === 'CHAT_MODEL' || span.spanType === 'LLM')
    span.setAttribute(LlmAttribute.MESSAGE_FORMAT, 'openai');
  const tools = chatTools(body.tools);
  if (tools.length > 0) span.setAttribute(LlmAttribute.CHAT_TOOLS, tools);
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
