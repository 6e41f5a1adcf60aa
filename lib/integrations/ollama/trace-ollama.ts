import { checkSdkClient, traceMethod, warnWhenNothingTraced } from '../shared';
import { OLLAMA_CHAT, OLLAMA_EMBED, OLLAMA_GENERATE, ollamaMethod } from './ollama-calls';

/**
 * Traces an Ollama client (the `ollama` package: `new Ollama({ host })` or its default
 * `ollama` instance) in place and returns it: `chat` (CHAT_MODEL), `generate` (LLM) and `embed`
 * (EMBEDDING), streamed or not, become `Ollama.chat`, `Ollama.generate` and `Ollama.embed`
 * spans under the active `@Trace` span or request. The package is never imported here.
 *
 * No client at all (`undefined`, a string) throws a TypeError; an object without those methods
 * is returned untouched with a warning.
 *
 * ```ts
 * { provide: Ollama, useFactory: () => traceOllama(new Ollama({ host })) }
 * ```
 */
export function traceOllama<T extends object>(client: T): T {
  checkSdkClient('traceOllama', client, 'traceOllama(new Ollama())');
  const traced = [
    traceMethod(client, client, 'chat', ollamaMethod(OLLAMA_CHAT)),
    traceMethod(client, client, 'generate', ollamaMethod(OLLAMA_GENERATE)),
    traceMethod(client, client, 'embed', ollamaMethod(OLLAMA_EMBED)),
  ];
  warnWhenNothingTraced('traceOllama', traced.includes(true), 'chat, generate, embed');
  return client;
}
