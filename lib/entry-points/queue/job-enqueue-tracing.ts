/* eslint-disable @typescript-eslint/no-explicit-any */
import { activeSpanRecord } from '../../tracing/span-context';
import { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { startSpan } from '../../tracing/start-span';
import { formatTraceparent } from '../../tracing/traceparent';
import { QueueAttribute, TRACEPARENT_JOB_OPTION } from './queue-attributes';

const TRACED_QUEUE = Symbol('nestjs-mlflow-tracing.traced-queue');

/** Whether `value` looks like a BullMQ `Queue`. */
export function isBullQueue(value: any): boolean {
  return (
    value !== null &&
    typeof value === 'object' &&
    value.constructor?.name === 'Queue' &&
    typeof value.add === 'function' &&
    typeof value.addBulk === 'function' &&
    typeof value.name === 'string'
  );
}

/**
 * Records `queue.add()` inside a recorded span as a span `enqueue <queue>.<job>` and puts
 * its traceparent in the job's options, where the worker finds it; `addBulk()` carries the
 * active span's. Outside a recorded span both are left as they are. The module does this for
 * every Queue provider (`BullModule.registerQueue`); call it for a queue you made yourself.
 */
export function traceQueue(queue: any): void {
  if (!isBullQueue(queue) || queue[TRACED_QUEUE]) return;
  const add = queue.add;
  const addBulk = queue.addBulk;
  queue.add = function (this: any, name: string, data: unknown, opts?: Record<string, unknown>) {
    const span = openEnqueueSpan(queue.name, name, data);
    if (span === undefined) return add.call(this, name, data, opts);
    const result = add.call(this, name, data, withTraceparent(opts, span));
    Promise.resolve(result).then(
      (job: any) => {
        span.setAttribute(QueueAttribute.JOB_ID, job?.id);
        span.end({ jobId: job?.id });
      },
      (error: unknown) => (span.recordException(error), span.end()),
    );
    return result;
  };
  queue.addBulk = function (this: any, jobs: { opts?: Record<string, unknown> }[]) {
    const span = activeSpanRecord();
    if (span === undefined || !Array.isArray(jobs)) return addBulk.call(this, jobs);
    return addBulk.call(
      this,
      jobs.map((job) => ({ ...job, opts: withTraceparent(job.opts, span) })),
    );
  };
  queue[TRACED_QUEUE] = true;
}

function openEnqueueSpan(
  queueName: string,
  jobName: string,
  data: unknown,
): SpanRecord | undefined {
  try {
    if (activeSpanRecord() === undefined) return undefined;
    const span = startSpan(`enqueue ${queueName}.${jobName}`, SpanType.TASK);
    if (!(span instanceof SpanRecord)) return undefined;
    span.attributes[QueueAttribute.QUEUE] = queueName;
    span.attributes[QueueAttribute.JOB_NAME] = String(jobName);
    span.setInputs(data);
    return span;
  } catch {
    return undefined;
  }
}

function withTraceparent(opts: Record<string, unknown> | undefined, span: SpanRecord) {
  return { ...opts, [TRACEPARENT_JOB_OPTION]: formatTraceparent(span.traceIdHex, span.spanIdHex) };
}
