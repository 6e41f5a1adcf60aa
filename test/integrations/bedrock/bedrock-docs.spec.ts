import { docBlocks } from '../../fixtures/docs';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { FakeBedrockServer } from '../fixtures/fake-bedrock-server';
import { renderTree } from '../fixtures/render-tree';

const PAGE = 'docs/llm-sdks/bedrock.md';

describe(`${PAGE}: the example gives the trace the page draws`, () => {
  const server = new FakeBedrockServer();
  const env = { ...process.env };
  afterAll(async () => {
    process.env = env;
    await server.stop();
  });

  it('traces the Converse call of the example under its @Trace method', async () => {
    // The SDK's own configuration from the environment, as in a deployed app.
    process.env.AWS_ENDPOINT_URL_BEDROCK_RUNTIME = await server.start();
    process.env.AWS_REGION = 'us-east-1';
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFAKE';
    process.env.AWS_SECRET_ACCESS_KEY = 'fake-secret';
    const { BedrockModule, ChatService } = await import('./bedrock-docs.module');
    const { app, exporter } = await bootWithMemoryExporter({
      imports: [BedrockModule],
      providers: [ChatService],
    });
    try {
      await expect(app.get(ChatService).answer('Hi')).resolves.toBe('Echo: Hi');
      const trees = docBlocks(PAGE)
        .filter((block) => block.lang === 'text')
        .map((block) => block.code.trim());
      expect(trees).toContain(renderTree(exporter.getSpans()));
    } finally {
      await app.close();
    }
  });
});
