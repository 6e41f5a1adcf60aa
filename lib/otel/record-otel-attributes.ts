import { SpanRecord } from '../tracing/span-record';
import { SpanType } from '../tracing/span-type';
import { parseJsonText, type RawAttributes } from './conventions/attribute-values';
import { translateAttributes } from './conventions';

/** MLflow's own keys, when an instrumentation sets them through OpenTelemetry (JSON text). */
const RESERVED: Record<string, (span: SpanRecord, value: unknown) => void> = {
  'mlflow.spanType': (span, value) => {
    const type = parseJsonText(value);
    if (typeof type === 'string' && type !== '') span.setSpanType(type);
  },
  'mlflow.spanInputs': (span, value) => span.setInputs(parseJsonText(value)),
  'mlflow.spanOutputs': (span, value) => span.setOutputs(parseJsonText(value)),
};

const MESSAGE_FORMAT = 'mlflow.message.format';
const TOKEN_USAGE = 'mlflow.chat.tokenUsage';
const MODEL = 'mlflow.llm.model';
const PROVIDER = 'mlflow.llm.provider';
const TOOLS = 'mlflow.chat.tools';

/**
 * Records an OpenTelemetry span's attributes on its MLflow span, then fills in what MLflow
 * needs (type, inputs, outputs, token usage, message format, model) from the GenAI,
 * OpenInference and AI SDK conventions, as MLflow's server would, so any exporter gets a
 * complete trace. Nothing set explicitly is overwritten.
 */
export function recordOtelAttributes(span: SpanRecord, raw: RawAttributes): void {
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    const reserved = RESERVED[key];
    if (reserved !== undefined) reserved(span, value);
    else span.setAttribute(key, value);
  }
  const found = translateAttributes(raw, span.events);
  const attributes = span.attributes;
  if (found.spanType !== undefined && span.spanType === SpanType.UNKNOWN)
    span.setSpanType(found.spanType);
  if (found.inputs !== undefined && span.inputs === undefined) span.setInputs(found.inputs);
  if (found.outputs !== undefined && span.outputs === undefined) span.setOutputs(found.outputs);
  if (found.tokenUsage !== undefined && attributes[TOKEN_USAGE] === undefined)
    span.setTokenUsage(found.tokenUsage);
  setMissing(span, MESSAGE_FORMAT, found.messageFormat);
  setMissing(span, MODEL, found.model);
  setMissing(span, PROVIDER, found.provider);
  setMissing(span, TOOLS, found.tools);
}

function setMissing(span: SpanRecord, key: string, value: unknown): void {
  if (value !== undefined && span.attributes[key] === undefined) span.setAttribute(key, value);
}
