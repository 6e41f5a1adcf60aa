import type { FeedbackOptions } from './feedback-options.interface';
import { checkBoolean, checkKnownKeys, checkNumberAtLeast } from './option-checks';
import { MlflowTracingConfigError } from './tracing-config.error';

/** Fills the feedback settings and fails fast on unusable ones. */
export function feedbackDefaults(options: FeedbackOptions = {}): Required<FeedbackOptions> {
  if (options === null || typeof options !== 'object') {
    throw new MlflowTracingConfigError('feedback', `is ${String(options)}`, 'an object');
  }
  checkKnownKeys('feedback', options, [
    'maxHeld',
    'holdTimeoutMs',
    'holdUnknownTraces',
    'requestTimeoutMs',
  ]);
  return {
    maxHeld: checkNumberAtLeast('feedback.maxHeld', options.maxHeld ?? 1000, 1),
    holdTimeoutMs: checkNumberAtLeast(
      'feedback.holdTimeoutMs',
      options.holdTimeoutMs ?? 120_000,
      0,
    ),
    holdUnknownTraces: checkBoolean(
      'feedback.holdUnknownTraces',
      options.holdUnknownTraces ?? false,
    ),
    requestTimeoutMs: checkNumberAtLeast(
      'feedback.requestTimeoutMs',
      options.requestTimeoutMs ?? 10_000,
      1,
    ),
  };
}
