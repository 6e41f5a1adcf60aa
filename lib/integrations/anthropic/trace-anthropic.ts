import { checkSdkClient, pathOf, traceMethod, warnWhenNothingTraced } from '../shared';
import { anthropicMessages } from './anthropic-messages';

/**
 * Traces an Anthropic client (`@anthropic-ai/sdk`) in place and returns it: `messages.create`,
 * streamed or not, and `messages.stream()` (built on it) become CHAT_MODEL spans under the
 * active `@Trace` span or request, or their own trace. The package is never imported here.
 *
 * No client at all (`undefined`, a string) throws a TypeError; an object without those methods
 * is returned untouched with a warning.
 *
 * ```ts
 * { provide: Anthropic, useFactory: () => traceAnthropic(new Anthropic()) }
 * ```
 */
export function traceAnthropic<T extends object>(client: T): T {
  checkSdkClient('traceAnthropic', client, 'traceAnthropic(new Anthropic())');
  const traced = [
    traceMethod(client, pathOf(client, 'messages'), 'create', anthropicMessages),
    traceMethod(client, pathOf(client, 'beta', 'messages'), 'create', anthropicMessages),
  ];
  warnWhenNothingTraced(
    'traceAnthropic',
    traced.includes(true),
    'messages.create, beta.messages.create',
  );
  return client;
}
