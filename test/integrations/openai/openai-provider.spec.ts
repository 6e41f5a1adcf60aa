import OpenAI from 'openai-v6';
import { traceOpenAI } from '../../../lib';
import { openAIProvider } from '../../../lib/integrations/openai/openai-provider';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { fakeOpenAIServer } from '../fixtures/fake-openai-server';

describe('openAIProvider: the provider an OpenAI-compatible base URL names', () => {
  it.each([
    ['https://api.openai.com/v1', 'openai'],
    ['https://api.deepseek.com', 'deepseek'],
    ['https://api.deepseek.com/v1', 'deepseek'],
    ['https://my-resource.openai.azure.com/openai', 'azure'],
    ['https://my-resource.cognitiveservices.azure.com/openai/v1', 'azure'],
    ['https://api.groq.com/openai/v1', 'groq'],
    ['https://api.fireworks.ai/inference/v1', 'fireworks_ai'],
    ['https://api.together.xyz/v1', 'together_ai'],
    ['https://api.mistral.ai/v1', 'mistral'],
    ['https://generativelanguage.googleapis.com/v1beta/openai/', 'gemini'],
    ['https://openrouter.ai/api/v1', 'openrouter'],
    ['http://localhost:4000', 'openai'],
    ['http://vllm.internal:8000/v1', 'openai'],
    ['not a url', 'openai'],
    [undefined, 'openai'],
  ])('%s → %s', (baseURL, provider) => {
    expect(openAIProvider(baseURL)).toBe(provider);
  });

  it('records the provider of the client, or the one passed in options, on every span', async () => {
    const server = fakeOpenAIServer();
    const url = `${await server.start()}/v1`;
    const { app, exporter } = await bootWithMemoryExporter({});
    try {
      // A DeepSeek client whose requests the fake answers (no network).
      const viaDeepSeek = traceOpenAI(
        new OpenAI({
          apiKey: 'sk-test',
          baseURL: 'https://api.deepseek.com',
          fetch: redirect(url),
        }),
      );
      await viaDeepSeek.chat.completions.create({
        model: 'deepseek-chat',
        messages: [{ role: 'user', content: 'hi' }],
      });
      const vllm = traceOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: url }), {
        provider: 'vllm',
      });
      await vllm.embeddings.create({ model: 'embed-test', input: 'hi' });
      const [chat, embedding] = exporter.getSpans();
      expect(chat.attributes).toMatchObject({
        'mlflow.llm.provider': 'deepseek',
        'mlflow.llm.model': 'deepseek-chat',
        'mlflow.message.format': 'openai',
      });
      expect(embedding.attributes['mlflow.llm.provider']).toBe('vllm');
    } finally {
      await app.close();
      await server.stop();
    }
  });
});

/** A fetch that sends every request to `base` instead of the host in its URL. */
function redirect(base: string): typeof fetch {
  return (input, init) => {
    const url = new URL(String(input instanceof Request ? input.url : input));
    return fetch(`${base}${url.pathname.replace(/^\/v1/, '')}${url.search}`, init);
  };
}
