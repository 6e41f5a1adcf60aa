import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';
import { ChatClient } from './fixtures/readme-otel';
import { asInFixture, docBlocks, readRepoFile } from '../fixtures/docs';
import { spanTree } from './fixtures/span-tree';

describe.each([
  ['docs/opentelemetry.md', undefined],
  ['docs/llm-sdks.md', '## Vercel AI SDK'],
])('%s %s', (page, heading) => {
  const blocks = docBlocks(page, heading);
  const fixtures = blocks.flatMap((block) => (block.test ? [block.test] : []));

  it('has its TypeScript blocks verbatim in test fixtures that the tests run', () => {
    const typescript = blocks.filter((block) => block.lang === 'ts');
    expect(typescript.length).toBeGreaterThan(0);
    for (const block of typescript) {
      const files = block.test ? [block.test] : fixtures;
      const found = files.some((file) => readRepoFile(file).includes(asInFixture(block.code)));
      if (!found)
        throw new Error(`Documented block not found in ${files.join(', ')}:\n${block.code}`);
    }
  });
});

describe('the OpenTelemetry guide example', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({ providers: [ChatClient] }));
  });
  afterAll(() => app.close());

  it('records the trace the guide shows', async () => {
    await app.get(ChatClient).ask('What is MLflow?');
    const shown = docBlocks('docs/opentelemetry.md').find((block) => block.lang === 'text')!;
    expect(spanTree(exporter.getSpans())).toEqual(shown.code.trimEnd().split('\n'));
    const chat = exporter.findSpan({ name: 'chat gpt-4o-mini' });
    expect(chat.attributes['mlflow.chat.tokenUsage']).toEqual({
      input_tokens: 9,
      output_tokens: 11,
      total_tokens: 20,
    });
  });
});
