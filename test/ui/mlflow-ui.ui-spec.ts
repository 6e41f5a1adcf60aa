import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { TracingService } from '../../lib';
import { AppModule } from '../../sample/app.module';
import { getTraceInfo, waitFor } from '../checks/mlflow-rest';
import { CHROMIUM, dismissPopovers, launchChromium } from './chromium';

const SCREENSHOT = path.join(__dirname, '..', '..', 'docs', 'mlflow-ui-trace.png');
const UI_TIMEOUT = 60_000;

interface TreeNode {
  name: string;
  depth: number;
  icons: string[];
  iconHtml: string;
}

/** The trace's span tree as rendered: name, indentation level and type icon of each node. */
async function spanTree(page: Page): Promise<TreeNode[]> {
  const nodes = await page.locator('[data-testid^="timeline-tree-node-"]').all();
  const tree: { name: string; left: number; icons: string[]; iconHtml: string }[] = [];
  for (const node of nodes) {
    const id = (await node.getAttribute('data-testid'))!.replace('timeline-tree-node-', '');
    const title = node.locator(`[data-testid="span-title-row-${id}"]`);
    const icon = node.locator(`[data-testid="span-icon-${id}"]`);
    const iconHtml = await icon.innerHTML();
    tree.push({
      name: (await title.innerText()).trim(),
      left: (await icon.boundingBox())!.x,
      icons: [...iconHtml.matchAll(/#([A-Za-z]+Icon)_svg/g)].map((match) => match[1]),
      iconHtml,
    });
  }
  const indents = [...new Set(tree.map((node) => node.left))].sort((a, b) => a - b);
  return tree.map(({ left, ...node }) => ({ ...node, depth: indents.indexOf(left) }));
}

describe('the MLflow UI shows a trace of the sample app (headless Chromium)', () => {
  let app: INestApplication;
  let traceId: string;
  let experimentId: string;
  let totalTokens: number;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: run scripts/ci/install-chromium.sh (npm run test:ui does)`,
      );
    }
    process.env.MLFLOW_TRACKING_URI = process.env.MLFLOW_TEST_TRACKING_URI;
    process.env.MLFLOW_EXPERIMENT_NAME = `ui-${Date.now()}`;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.listen(0, '127.0.0.1');
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const response = await fetch(`${url}/chat/conv-2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-user-id': 'bob', 'x-session-id': 'conv-2' },
      body: JSON.stringify({ question: 'What is NestJS?' }),
    });
    traceId = response.headers.get('x-mlflow-trace-id')!;
    await app.get(TracingService).flush();
    const info = await waitFor(async () => {
      const found = await getTraceInfo(traceId);
      return found.tags?.['mlflow.traceName'] ? found : undefined;
    });
    experimentId = info.trace_location.mlflow_experiment!.experiment_id;
    totalTokens = JSON.parse(info.trace_metadata!['mlflow.trace.tokenUsage']!).total_tokens;
  });

  afterAll(async () => {
    await app?.close();
    delete process.env.MLFLOW_TRACKING_URI;
    delete process.env.MLFLOW_EXPERIMENT_NAME;
  });

  it(
    'renders the span tree, span types, token count and session, and saves the screenshot',
    async () => {
      const browser = await launchChromium();
      try {
        const page = browser.context.pages()[0] ?? (await browser.context.newPage());
        page.setDefaultTimeout(UI_TIMEOUT);
        const base = process.env.MLFLOW_TEST_TRACKING_URI!.replace(/\/+$/, '');
        await page.goto(`${base}/#/experiments/${experimentId}/traces`, { timeout: UI_TIMEOUT });
        await page.getByText('What is NestJS?').first().waitFor();
        await dismissPopovers(page);
        await page.goto(
          `${base}/#/experiments/${experimentId}/traces?selectedEvaluationId=${traceId}`,
        );
        const drawer = page.locator('[data-component-id="mlflow.evaluations_review.modal"]');
        await drawer.getByText('Completions').first().waitFor();

        // The span tree: the request, the agent step under it, the retrieval and the LLM call.
        const spans = await spanTree(page);
        expect(spans.map(({ name, depth }) => [name, depth])).toEqual([
          ['POST /chat/:conversationId', 0],
          ['ChatService.answer', 1],
          ['RetrieverService.search', 2],
          ['Completions', 2],
        ]);
        // Span types: MLflow draws one icon per type (RETRIEVER a magnifier, CHAT_MODEL a model).
        expect(spans[2].icons).toContain('SearchIcon');
        expect(spans[3].icons).toContain('ModelsIcon');
        expect(new Set(spans.map((span) => span.iconHtml)).size).toBe(4);
        // The trace's token count (the OpenAI call's usage, as stored) and its session.
        expect(totalTokens).toBeGreaterThan(0);
        await drawer.getByText(`${totalTokens} tokens`, { exact: true }).first().waitFor();
        await drawer.getByText('conv-2', { exact: true }).first().waitFor();
        mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT });
      } finally {
        await browser.close();
      }
      // Longer than one UI wait, so a step that times out says which element it waited for.
    },
    3 * UI_TIMEOUT,
  );
});
