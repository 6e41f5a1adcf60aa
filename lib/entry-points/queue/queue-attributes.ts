/** Attribute keys of enqueue and job-processing spans. */
export const QueueAttribute = {
  QUEUE: 'messaging.destination.name',
  JOB_NAME: 'bullmq.job.name',
  JOB_ID: 'bullmq.job.id',
  /** 1 for the first run, 2 for the first retry, … */
  ATTEMPT: 'bullmq.job.attempt',
} as const;

/** Job option carrying the enqueuing span (W3C traceparent); BullMQ stores unknown options as they are. */
export const TRACEPARENT_JOB_OPTION = 'traceparent';
