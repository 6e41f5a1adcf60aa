import type { FinishedTrace } from '../trace-model';
import { sessionColumn, traceNameColumn } from './column-limits';
import { formatDuration } from './duration';
import { MlflowLimits, TRACE_SCHEMA_VERSION, TraceMetadata, TraceTag } from './mlflow-keys';
import { buildPreview, truncatePreview } from './preview';
import { aggregateTokenUsage } from './token-usage';
import { traceSizeMetadata } from './trace-size';

/**
 * The body of StartTraceV3 (`POST /api/3.0/mlflow/traces`) for one finished trace. `modelId`:
 * its version, looked up by the export stage, for a trace that carries none of its own.
 * `processMetadata`: what every trace of the process carries (the run context), under the
 * trace's own metadata.
 */
export function buildStartTraceBody(
  trace: FinishedTrace,
  experimentId: string,
  modelId?: string,
  processMetadata: Readonly<Record<string, string>> = {},
): object {
  const root = trace.rootSpan;
  const info: Record<string, unknown> = {
    trace_id: trace.traceId,
    trace_location: {
      type: 'MLFLOW_EXPERIMENT',
      mlflow_experiment: { experiment_id: experimentId },
    },
    request_time: new Date(trace.requestTimeMs).toISOString(),
    execution_duration: formatDuration(trace.durationNs),
    state: trace.state,
    trace_metadata: limitEntries(traceMetadata(trace, modelId, processMetadata)),
    tags: limitEntries({
      ...trace.tags,
      [TraceTag.TRACE_NAME]: traceNameColumn(root.name),
    }),
  };
  const requestPreview =
    trace.requestPreview !== undefined
      ? truncatePreview(trace.requestPreview)
      : buildPreview(trace.requestPreviewSource ?? root.inputs, 'user');
  const responsePreview =
    trace.responsePreview !== undefined
      ? truncatePreview(trace.responsePreview)
      : buildPreview(root.outputs, 'assistant');
  if (requestPreview !== undefined) info.request_preview = requestPreview;
  if (responsePreview !== undefined) info.response_preview = responsePreview;
  if (trace.clientRequestId !== undefined) {
    info.client_request_id = trace.clientRequestId.slice(0, MlflowLimits.CLIENT_REQUEST_ID_CHARS);
  }
  Object.assign(info.trace_metadata as object, traceSizeMetadata(trace, info));
  return { trace: { trace_info: info } };
}

function traceMetadata(
  trace: FinishedTrace,
  modelId: string | undefined,
  processMetadata: Readonly<Record<string, string>>,
): Record<string, string> {
  const metadata: Record<string, string> = {
    ...processMetadata,
    ...trace.metadata,
    [TraceMetadata.SCHEMA_VERSION]: TRACE_SCHEMA_VERSION,
  };
  if (modelId !== undefined) metadata[TraceMetadata.MODEL_ID] ??= modelId;
  if (trace.user !== undefined) metadata[TraceMetadata.USER] = trace.user;
  if (trace.session !== undefined) metadata[TraceMetadata.SESSION] = sessionColumn(trace.session);
  if (trace.droppedSpans > 0) metadata[TraceMetadata.DROPPED_SPANS] = String(trace.droppedSpans);
  const usage = aggregateTokenUsage(trace.spans);
  if (usage !== undefined) metadata[TraceMetadata.TOKEN_USAGE] = JSON.stringify(usage);
  return metadata;
}

/** Keys past 250 chars are dropped and values cut to 8000, MLflow's column sizes. */
function limitEntries(entries: Record<string, string>): Record<string, string> {
  const limited: Record<string, string> = {};
  for (const key of Object.keys(entries)) {
    if (key.length === 0 || key.length > MlflowLimits.TAG_KEY_CHARS) continue;
    limited[key] = entries[key].slice(0, MlflowLimits.TAG_VALUE_CHARS);
  }
  return limited;
}
