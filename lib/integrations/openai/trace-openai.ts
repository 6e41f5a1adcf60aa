import { checkSdkClient, pathOf, traceMethod, warnWhenNothingTraced } from '../shared';
import { openAIChatCompletions } from './openai-chat';
import { openAIEmbeddings } from './openai-embeddings';
import { openAIResponses } from './openai-responses';

/**
 * Traces an OpenAI client (the `openai` package; tested with v6 and v7) in place and returns it:
 * `chat.completions.create`, `responses.create` and `embeddings.create`, streamed or not, and
 * the SDK helpers built on them (`chat.completions.stream()`, `parse()`, `responses.stream()`).
 * Each call becomes a span under the active `@Trace` span or request, or its own trace.
 * Wrapping twice is harmless; the `openai` package is never imported by this library.
 *
 * No client at all (`undefined`, a string) throws a TypeError; an object without those methods
 * is returned untouched with a warning.
 *
 * ```ts
 * { provide: OpenAI, useFactory: () => traceOpenAI(new OpenAI()) }
 * ```
 */
export function traceOpenAI<T extends object>(client: T): T {
  checkSdkClient('traceOpenAI', client, 'traceOpenAI(new OpenAI())');
  const traced = [
    traceMethod(client, pathOf(client, 'chat', 'completions'), 'create', openAIChatCompletions),
    traceMethod(client, pathOf(client, 'responses'), 'create', openAIResponses),
    traceMethod(client, pathOf(client, 'embeddings'), 'create', openAIEmbeddings),
  ];
  warnWhenNothingTraced(
    'traceOpenAI',
    traced.includes(true),
    'chat.completions.create, responses.create, embeddings.create',
  );
  return client;
}
