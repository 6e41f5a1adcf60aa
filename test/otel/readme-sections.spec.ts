import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';
import { ChatClient } from './fixtures/readme-otel';
import { asInFixture, readmeBlocks, readRepoFile } from './fixtures/readme-section';
import { spanTree } from './fixtures/span-tree';

describe.each(['OpenTelemetry', 'Vercel AI SDK'])('README section "%s"', (title) => {
  const blocks = readmeBlocks(title);
  const fixtures = blocks.flatMap((block) => (block.source ? [block.source] : []));

  it('has its TypeScript blocks verbatim in test fixtures that the tests run', () => {
    const typescript = blocks.filter((block) => block.lang === 'ts');
    expect(typescript.length).toBeGreaterThan(0);
    for (const block of typescript) {
      const files = block.source ? [block.source] : fixtures;
      const found = files.some((file) => readRepoFile(file).includes(asInFixture(block.code)));
      if (!found) throw new Error(`README block not found in ${files.join(', ')}:\n${block.code}`);
    }
  });
});

describe('the README OpenTelemetry example', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [ChatClient] }));
  });
  afterAll(() => app.close());

  it('records the trace the README shows', async () => {
    await app.get(ChatClient).ask('What is MLflow?');
    const shown = readmeBlocks('OpenTelemetry').find((block) => block.lang === 'text')!;
    expect(spanTree(exporter.getSpans())).toEqual(shown.code.trimEnd().split('\n'));
    const chat = exporter.findSpan({ name: 'chat gpt-4o-mini' });
    expect(chat.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 9,
      output_tokens: 11,
      total_tokens: 20,
    });
  });
});
