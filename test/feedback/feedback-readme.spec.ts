import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FeedbackController } from '../../sample/chat/feedback.controller';
import { docBlocks } from '../fixtures/docs';
import { settle, startApp } from '../interceptor/fixtures/http-app';

const root = path.join(__dirname, '..', '..');
const blocks = docBlocks('docs/feedback.md');

describe('docs/feedback.md', () => {
  it('has exactly the two code blocks checked below', () => {
    expect(blocks.map((block) => block.lang)).toEqual(['ts', 'json']);
  });

  it("shows the sample app's feedback controller as it is (the real-server tests run it)", () => {
    const sample = readFileSync(path.join(root, 'sample/chat/feedback.controller.ts'), 'utf8');
    expect(blocks[0].code).toBe(sample.replace("from '../../lib'", "from 'nestjs-mlflow-tracing'"));
  });

  it.each(['express', 'fastify'] as const)(
    'shows the 400 body that controller really answers without thumbsUp, and the POST leaves no trace of its own (%s)',
    async (adapter) => {
      const { app, url, exporter } = await startApp(adapter, {
        controllers: [FeedbackController],
      });
      try {
        const response = await fetch(`${url}/chat/feedback`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ traceId: `tr-${'a'.repeat(32)}`, comment: 'no thumbs' }),
        });
        expect(response.status).toBe(400);
        expect(await response.json()).toEqual(JSON.parse(blocks[1].code));
        // @TraceRoute(false), as the snippet shows: no `POST /chat/feedback` trace, no header.
        expect(response.headers.get('x-mlflow-trace-id')).toBeNull();
        await settle();
        expect(exporter.getTraces()).toHaveLength(0);
      } finally {
        await app.close();
      }
    },
  );
});
