import { docBlocks } from '../../fixtures/docs';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { fakeOpenAIServer } from '../fixtures/fake-openai-server';
import { OPENAI_AGENTS_SDKS } from '../fixtures/openai-agents-sdks';
import { renderTree } from '../fixtures/render-tree';
import { describeEachSdk } from '../fixtures/sdk-versions';

const PAGE = 'docs/llm-sdks/openai-agents.md';

describeEachSdk(OPENAI_AGENTS_SDKS, (load) => {
  const server = fakeOpenAIServer();
  const env = { ...process.env };
  afterAll(async () => {
    load().setTraceProcessors([]);
    process.env = env;
    await server.stop();
  });

  it(`${PAGE}: the example gives the trace the page draws`, async () => {
    process.env.OPENAI_BASE_URL = `${await server.start()}/v1`;
    process.env.OPENAI_API_KEY = 'sk-docs';
    // The SDK switches its tracing off under NODE_ENV=test.
    load().setTracingDisabled(false);
    const { TravelAgent } = await import('./openai-agents-docs.service');
    const { app, exporter } = await bootWithMemoryExporter({ providers: [TravelAgent] });
    try {
      await expect(app.get(TravelAgent).answer('Hi')).resolves.toBe('Echo: Hi');
      const trees = docBlocks(PAGE)
        .filter((block) => block.lang === 'text')
        .map((block) => block.code.trim());
      expect(trees).toContain(renderTree(exporter.getSpans()));
    } finally {
      await app.close();
    }
  });
});
