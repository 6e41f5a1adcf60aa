import { OpenRuns } from '../shared/open-runs';
import { SpanType } from '../../tracing/span-type';
import { pathOf, safely } from '../shared';
import {
  AGENTS_MESSAGE_FORMAT,
  recordSpanData,
  recordSpanError,
  spanNameOf,
  spanTypeOf,
} from './agents-span-data';

type Json = Record<string, unknown>;

/** Open `task` spans remembered at once; a run the SDK never ends must not pin memory. */
const MAX_FOLDED = 10_000;

/**
 * The Agents SDK's `TracingProcessor` interface (`@openai/agents`), structurally: what
 * `createMlflowAgentsProcessor()` returns can be handed to `addTraceProcessor` or
 * `setTraceProcessors` without this library depending on the SDK.
 */
export interface MlflowAgentsProcessor {
  /* eslint-disable @typescript-eslint/no-explicit-any -- the SDK's own Trace and Span classes */
  onTraceStart(trace: any): Promise<void>;
  onTraceEnd(trace: any): Promise<void>;
  onSpanStart(span: any): Promise<void>;
  onSpanEnd(span: any): Promise<void>;
  /* eslint-enable @typescript-eslint/no-explicit-any */
  shutdown(timeout?: number): Promise<void>;
  forceFlush(): Promise<void>;
}

/**
 * A tracing processor for the OpenAI Agents SDK (`@openai/agents`) that records its traces and
 * spans as MLflow spans, as MLflow's Python `mlflow.openai.autolog()` does for the Python SDK:
 * the SDK's trace (`Agent workflow`) as an AGENT span under the active `@Trace` span or request
 * (or a new trace), and within it each agent (AGENT), model call (CHAT_MODEL, `openai-agent`
 * message format, model and token usage), tool call (TOOL), handoff and guardrail (GUARDRAIL).
 *
 * ```ts
 * addTraceProcessor(createMlflowAgentsProcessor());
 * ```
 */
export function createMlflowAgentsProcessor(): MlflowAgentsProcessor {
  return new AgentsProcessor();
}

class AgentsProcessor implements MlflowAgentsProcessor {
  private readonly runs = new OpenRuns(this);
  /** The SDK's `task` span repeats its trace: its children nest under the trace's span. */
  private readonly folded = new Map<string, string>();

  onTraceStart(trace: unknown): Promise<void> {
    safely(() => {
      const id = pathOf(trace, 'traceId');
      if (typeof id !== 'string') return;
      const name = pathOf(trace, 'name');
      this.runs.start(
        id,
        undefined,
        typeof name === 'string' ? name : 'Agent workflow',
        SpanType.AGENT,
        (span) => {
          span.setInputs('');
          const metadata = pathOf(trace, 'metadata');
          if (typeof metadata === 'object' && metadata !== null)
            span.setAttributes(metadata as Json);
          const group = pathOf(trace, 'groupId');
          if (typeof group === 'string') span.setAttribute('group_id', group);
        },
      );
    });
    return Promise.resolve();
  }

  onTraceEnd(trace: unknown): Promise<void> {
    const id = pathOf(trace, 'traceId');
    if (typeof id === 'string') this.runs.end(id, (span) => span.setOutputs(''));
    return Promise.resolve();
  }

  onSpanStart(span: unknown): Promise<void> {
    safely(() => {
      const id = pathOf(span, 'spanId');
      const data = (pathOf(span, 'spanData') ?? {}) as Json;
      if (typeof id !== 'string') return;
      const traceId = pathOf(span, 'traceId');
      if (data.type === 'task' && typeof traceId === 'string') {
        if (this.folded.size < MAX_FOLDED) this.folded.set(id, traceId);
        return;
      }
      const parentId = pathOf(span, 'parentId');
      const parent =
        typeof parentId === 'string' ? (this.folded.get(parentId) ?? parentId) : traceId;
      const spanType = spanTypeOf(data);
      this.runs.start(
        id,
        typeof parent === 'string' ? parent : undefined,
        spanNameOf(data),
        spanType,
        (record) => {
          if (spanType === SpanType.CHAT_MODEL)
            record.setAttribute('mlflow.message.format', AGENTS_MESSAGE_FORMAT);
        },
      );
    });
    return Promise.resolve();
  }

  onSpanEnd(span: unknown): Promise<void> {
    const id = pathOf(span, 'spanId');
    if (typeof id !== 'string') return Promise.resolve();
    if (this.folded.delete(id)) return Promise.resolve();
    this.runs.end(id, (record) => {
      safely(() => recordSpanData(record, (pathOf(span, 'spanData') ?? {}) as Json));
      const error = pathOf(span, 'error');
      if (error !== null && error !== undefined) recordSpanError(record, error);
    });
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }
}
