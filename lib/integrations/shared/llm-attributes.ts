/** Span attributes MLflow's UI and trace summaries read on LLM spans (`mlflow/tracing/constant.py`). */
export const LlmAttribute = {
  /** How the UI parses inputs/outputs into a conversation: `openai`, `anthropic`, `langchain`. */
  MESSAGE_FORMAT: 'mlflow.message.format',
  MODEL: 'mlflow.llm.model',
  PROVIDER: 'mlflow.llm.provider',
  /** Tool definitions offered to the model, in OpenAI's `{type:'function', function}` shape. */
  CHAT_TOOLS: 'mlflow.chat.tools',
} as const;

/** A tool definition as MLflow's chat UI lists it. */
export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: unknown };
}
