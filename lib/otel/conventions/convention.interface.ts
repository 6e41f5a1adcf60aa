import type { RawAttributes } from './attribute-values';

/** Attribute keys of one token-usage vocabulary. */
export interface TokenKeys {
  readonly input: string;
  readonly output: string;
  readonly total?: string;
  readonly cacheRead?: string;
  readonly cacheWrite?: readonly string[];
}

/**
 * What one semantic convention (OpenInference, OTel GenAI, the AI SDK's `ai.*`) says about a
 * span, read the way MLflow's server-side translators read it
 * (`mlflow/tracing/otel/translation/`): every method returns `undefined` when the span does
 * not speak that convention.
 */
export interface SemanticConvention {
  spanType(attributes: RawAttributes): string | undefined;
  inputs(attributes: RawAttributes): unknown;
  outputs(attributes: RawAttributes): unknown;
  readonly tokens: readonly TokenKeys[];
  readonly modelKeys: readonly string[];
  readonly providerKeys: readonly string[];
  /** `mlflow.message.format` of a chat span, for MLflow's chat view. */
  messageFormat(attributes: RawAttributes): string | undefined;
  /** Tool definitions (`mlflow.chat.tools`). */
  tools(attributes: RawAttributes): unknown;
}
