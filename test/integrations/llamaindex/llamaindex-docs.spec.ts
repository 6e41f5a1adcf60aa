import { docBlocks } from '../../fixtures/docs';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { fakeOpenAIServer } from '../fixtures/fake-openai-server';
import { renderTree } from '../fixtures/render-tree';

const PAGE = 'docs/llm-sdks/llamaindex.md';

describe(PAGE, () => {
  const server = fakeOpenAIServer();
  const env = { ...process.env };
  afterAll(async () => {
    process.env = env;
    await server.stop();
  });

  it('the example gives the trace the page draws', async () => {
    process.env.OPENAI_BASE_URL = `${await server.start()}/v1`;
    process.env.OPENAI_API_KEY = 'sk-docs';
    const { WeatherAgent } = await import('./llamaindex-docs.service');
    const { app, exporter } = await bootWithMemoryExporter({ providers: [WeatherAgent] });
    try {
      await expect(app.get(WeatherAgent).answer('Weather in Paris?')).resolves.toBe(
        'Echo: Weather in Paris?',
      );
      const trees = docBlocks(PAGE)
        .filter((block) => block.lang === 'text')
        .map((block) => block.code.trim());
      expect(trees).toContain(renderTree(exporter.getSpans()));
    } finally {
      await app.close();
    }
  });
});
