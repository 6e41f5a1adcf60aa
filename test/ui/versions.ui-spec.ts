import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { MlflowTracingModule } from '../../lib';
import { getTraceInfo, mlflowRequest, waitFor, type RestTraceInfo } from '../checks/mlflow-rest';
import { ask, startVersionsApp, type VersionsTestApp } from '../versions/fixtures/versions-app';
import { CHROMIUM, dismissPopovers, launchChromium } from './chromium';

// MLflow 3.17's UI shows a LoggedModel (an app version) at
// #/experiments/:experimentId/models/:loggedModelId, and the version's traces on its "Traces" tab
// (#/experiments/:experimentId/models/:loggedModelId/traces): the experiment's traces table,
// filtered on the trace metadata mlflow.modelId.
const UI_TIMEOUT = 60_000;
const VERSION = 'ui-check-v1';
/** The trace id tag of a row of MLflow's traces table (its title is the full id). */
const TRACE_ID_TAG = '[data-component-id="mlflow.genai-traces-table.trace-id"][title]';

/** Waits until the traces table lists exactly `expected` trace ids; returns what it lists. */
async function listedTraceIds(page: Page, expected: string[]): Promise<string[]> {
  const want = [...expected].sort();
  let listed: string[] = [];
  const deadline = Date.now() + UI_TIMEOUT;
  do {
    const titles = await page
      .locator(TRACE_ID_TAG)
      .evaluateAll((tags) => tags.map((tag) => tag.getAttribute('title') ?? ''));
    listed = [...new Set(titles)].sort();
    if (JSON.stringify(listed) === JSON.stringify(want)) break;
    await page.waitForTimeout(500);
  } while (Date.now() < deadline);
  return listed;
}

/** The text of the table row showing the trace. */
const rowText = (page: Page, traceId: string) =>
  page
    .locator('[role="row"]')
    .filter({ has: page.locator(`${TRACE_ID_TAG}[title="${traceId}"]`) })
    .innerText();

/** Waits until MLflow has the trace (StartTraceV3 landed) and, if `linked`, its version link. */
const stored = (traceId: string, linked: boolean) =>
  waitFor(
    async () => {
      const info = await getTraceInfo(traceId);
      if (!info.tags?.['mlflow.traceName']) return undefined;
      if (linked && !info.trace_metadata?.['mlflow.modelId']) return undefined;
      return info;
    },
    { timeoutMs: 60_000 },
  );

interface LoggedModelInfo {
  model_id: string;
  experiment_id: string;
  name: string;
}

describe('the MLflow UI shows the traces of an app version (headless Chromium)', () => {
  let versioned: VersionsTestApp | undefined;
  let unversioned: VersionsTestApp | undefined;
  let experimentId: string;
  let modelId: string;
  const stamp = Date.now();
  const questions = [`versioned question one ${stamp}`, `versioned question two ${stamp}`];
  const otherQuestion = `unversioned question ${stamp}`;
  let traceIds: string[];
  let otherTraceId: string;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: run scripts/ci/install-chromium.sh (npm run test:ui does)`,
      );
    }
    const test = {
      trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
      experimentName: `ui-versions-${stamp}`,
      export: { scheduledDelayMs: 50 },
    };
    versioned = await startVersionsApp(
      MlflowTracingModule.forRoot({ ...test, version: { name: VERSION } }),
    );
    traceIds = [await ask(versioned.url, questions[0]), await ask(versioned.url, questions[1])];
    await versioned.tracing.flush();
    const infos: RestTraceInfo[] = await Promise.all(traceIds.map((id) => stored(id, true)));
    experimentId = infos[0].trace_location.mlflow_experiment!.experiment_id;
    modelId = infos[0].trace_metadata!['mlflow.modelId']!;
    expect(infos[1].trace_metadata!['mlflow.modelId']).toBe(modelId);

    // Started once the experiment exists: a second app tracing into it, with no version.
    unversioned = await startVersionsApp(MlflowTracingModule.forRoot({ ...test, version: false }));
    otherTraceId = await ask(unversioned.url, otherQuestion);
    await unversioned.tracing.flush();
    const other = await stored(otherTraceId, false);
    expect(other.trace_location.mlflow_experiment!.experiment_id).toBe(experimentId);
    expect(other.trace_metadata?.['mlflow.modelId']).toBeUndefined();

    // The version is one LoggedModel of the experiment, the one the traces link to.
    const models = await waitFor(
      async () => {
        const out = await mlflowRequest<{ models?: { info: LoggedModelInfo }[] }>(
          'POST',
          '/api/2.0/mlflow/logged-models/search',
          { experiment_ids: [experimentId], filter: `name = '${VERSION}'` },
        );
        return out.models?.length ? out.models.map((model) => model.info) : undefined;
      },
      { timeoutMs: 60_000 },
    );
    expect(models.map((model) => model.model_id)).toEqual([modelId]);
  }, 4 * UI_TIMEOUT);

  afterAll(async () => {
    await versioned?.app.close();
    await unversioned?.app.close();
  });

  it(
    "names the version and lists exactly its traces on the version's Traces tab",
    async () => {
      const browser = await launchChromium();
      try {
        const page = browser.context.pages()[0] ?? (await browser.context.newPage());
        page.setDefaultTimeout(UI_TIMEOUT);
        const base = process.env.MLFLOW_TEST_TRACKING_URI!.replace(/\/+$/, '');

        // The experiment's traces list (no trace id column there) shows all three requests, the
        // unversioned one too.
        await page.goto(`${base}/#/experiments/${experimentId}/traces`, { timeout: UI_TIMEOUT });
        for (const question of [...questions, otherQuestion]) {
          await page.getByText(question).first().waitFor();
        }
        await dismissPopovers(page);

        // The version's page, Traces tab: its name, and its two traces only.
        await page.goto(`${base}/#/experiments/${experimentId}/models/${modelId}/traces`);
        await page.locator('h2', { hasText: VERSION }).waitFor();
        await page.locator(TRACE_ID_TAG).first().waitFor();
        expect(await listedTraceIds(page, traceIds)).toEqual([...traceIds].sort());
        for (const [i, traceId] of traceIds.entries()) {
          expect(await rowText(page, traceId)).toContain(questions[i]);
        }
        expect(await page.locator(`${TRACE_ID_TAG}[title="${otherTraceId}"]`).count()).toBe(0);
        expect(await page.getByText(otherQuestion).count()).toBe(0);
      } finally {
        await browser.close();
      }
      // Longer than one UI wait, so a step that times out says which element it waited for.
    },
    4 * UI_TIMEOUT,
  );
});
