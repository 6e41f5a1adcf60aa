import { checkSdkClient, pathOf, traceMethod, warnWhenNothingTraced } from '../shared';
import { openAIChatCompletions } from './openai-chat';
import { openAIEmbeddings } from './openai-embeddings';
import { openAIProvider } from './openai-provider';
import { openAIResponses } from './openai-responses';

/** Options of `traceOpenAI`. */
export interface TraceOpenAIOptions {
  /**
   * `mlflow.llm.provider` of every call, for an OpenAI-compatible server the library cannot
   * tell from its URL (vLLM, a LiteLLM proxy: `'vllm'`, `'litellm'`). By default it follows the
   * client's `baseURL`: `api.deepseek.com` is `deepseek`, `*.openai.azure.com` is `azure`,
   * `api.groq.com` is `groq`, `api.fireworks.ai` is `fireworks_ai`; other hosts are `openai`.
   */
  provider?: string;
}

/**
 * Traces an OpenAI client (the `openai` package; tested with v6 and v7) in place and returns it:
 * `chat.completions.create`, `responses.create` and `embeddings.create`, streamed or not, and
 * the SDK helpers built on them (`chat.completions.stream()`, `parse()`, `responses.stream()`).
 * Each call becomes a span under the active `@Trace` span or request, or its own trace.
 * Wrapping twice is harmless; the `openai` package is never imported by this library. Clients
 * of OpenAI-compatible providers (`new OpenAI({ baseURL })`, `AzureOpenAI`) are traced the same
 * way, with the provider their `baseURL` names.
 *
 * No client at all (`undefined`, a string) throws a TypeError; an object without those methods
 * is returned untouched with a warning.
 *
 * ```ts
 * { provide: OpenAI, useFactory: () => traceOpenAI(new OpenAI()) }
 * ```
 */
export function traceOpenAI<T extends object>(client: T, options: TraceOpenAIOptions = {}): T {
  checkSdkClient('traceOpenAI', client, 'traceOpenAI(new OpenAI())');
  const provider = options.provider ?? openAIProvider(pathOf(client, 'baseURL'));
  const traced = [
    traceMethod(
      client,
      pathOf(client, 'chat', 'completions'),
      'create',
      openAIChatCompletions(provider),
    ),
    traceMethod(client, pathOf(client, 'responses'), 'create', openAIResponses(provider)),
    traceMethod(client, pathOf(client, 'embeddings'), 'create', openAIEmbeddings(provider)),
  ];
  warnWhenNothingTraced(
    'traceOpenAI',
    traced.includes(true),
    'chat.completions.create, responses.create, embeddings.create',
  );
  return client;
}
