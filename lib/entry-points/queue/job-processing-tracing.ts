/* eslint-disable @typescript-eslint/no-explicit-any */
import { NOT_SAMPLED } from '../../tracing/span-context';
import { SpanType } from '../../tracing/span-type';
import { parseTraceparent } from '../../tracing/traceparent';
import { tracerFor } from '../../tracing/tracer-registry';
import { LINKED_TRACE_METADATA } from '../events/event-listener-tracing';
import { entryPointOptionsOf } from '../entry-point-switches';
import { patchMethod, type PatchTarget } from '../method-patch';
import { QueueAttribute, TRACEPARENT_JOB_OPTION } from './queue-attributes';

// @nestjs/bullmq's class metadata key, spelled out so that the package stays optional.
const PROCESSOR_METADATA = 'bullmq:processor_metadata';

/**
 * Each run of a `@Processor` class's `process(job)` becomes a span `JOB <queue>.<job>`: in the
 * trace that enqueued the job (`queue.processing: 'child'`, one span per attempt), or a trace
 * of its own naming that one (`'link'`). Job data in, result out, failures as ERROR.
 */
export function traceJobProcessing(target: PatchTarget): boolean {
  if (Reflect.getMetadata(PROCESSOR_METADATA, target) === undefined) return false;
  return patchMethod(target.prototype as Record<string, any>, 'process', (self, [job]) => {
    const tracer = tracerFor(self);
    const queue = entryPointOptionsOf(tracer)?.queue;
    if (tracer === undefined || !tracer.enabled || !queue?.enabled) return undefined;
    const name = `JOB ${job?.queueName}.${job?.name}`;
    const parent = parseTraceparent(job?.opts?.[TRACEPARENT_JOB_OPTION]);
    const span =
      queue.processing === 'child' && parent !== undefined
        ? tracer.startRootSpan(name, SpanType.TASK, parent)
        : tracer.startRootSpan(name, SpanType.TASK);
    if (span === undefined) return NOT_SAMPLED;
    if (queue.processing === 'link' && parent !== undefined)
      span.trace.metadata[LINKED_TRACE_METADATA] = `tr-${parent.traceIdHex}`;
    span.attributes[QueueAttribute.QUEUE] = String(job?.queueName);
    span.attributes[QueueAttribute.JOB_NAME] = String(job?.name);
    span.attributes[QueueAttribute.JOB_ID] = String(job?.id);
    span.attributes[QueueAttribute.ATTEMPT] = Number(job?.attemptsMade ?? 0) + 1;
    span.setInputs(job?.data);
    return span;
  });
}
