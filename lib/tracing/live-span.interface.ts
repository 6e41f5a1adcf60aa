import type { SpanLogLevelName } from './span-log-level';
import type { SpanTypeName } from './span-type';

/** MLflow's token usage shape (`mlflow.chat.tokenUsage`). */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

/** A chat message in the OpenAI shape MLflow's UI renders. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | (string & {});
  content: unknown;
  [key: string]: unknown;
}

/**
 * A span that is still open. Every method is safe to call at any time: on a span that is
 * not recorded (tracing disabled, trace not sampled) or already ended they do nothing.
 */
export interface LiveSpan {
  /** 16 hex chars; empty when the span is not recorded. */
  readonly spanId: string;
  /** MLflow trace id (`tr-…`); empty when the span is not recorded. */
  readonly traceId: string;
  readonly isRecording: boolean;
  setInputs(inputs: unknown): this;
  setOutputs(outputs: unknown): this;
  setAttribute(key: string, value: unknown): this;
  setAttributes(attributes: Record<string, unknown>): this;
  setSpanType(spanType: SpanTypeName): this;
  /** Records `mlflow.chat.tokenUsage`; `total_tokens` defaults to input + output. */
  setTokenUsage(usage: TokenUsage): this;
  /** Records the conversation as this span's inputs (`{ messages }`), as MLflow's chat UI expects. */
  setChatMessages(messages: readonly ChatMessage[]): this;
  /**
   * MLflow's `mlflow.spanLogLevel` (the UI's minimum-log-level filter, Python `Span.log_level`):
   * a name (`'DEBUG'`, `'INFO'`, `'WARNING'`, `'ERROR'`, `'CRITICAL'`) or its number (10..50).
   * Default: INFO for LLM, CHAT_MODEL, TOOL, RETRIEVER, AGENT, EMBEDDING spans, DEBUG for the
   * others; ERROR once an exception is recorded. Unknown levels are ignored.
   */
  setLogLevel(level: SpanLogLevelName | number): this;
  addEvent(name: string, attributes?: Record<string, string | number | boolean>): this;
  /** Marks the span ERROR and adds MLflow's `exception` event (type, message, stacktrace). */
  recordException(error: unknown): this;
  /** Ends the span; outputs given here are recorded first. Later calls are ignored. */
  end(outputs?: unknown): void;
}
