import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MlflowTracingModule } from '../../lib';
import { runMlflowPython } from '../checks/mlflow-python';
import { createExperiment, getTraceInfo, waitFor } from '../checks/mlflow-rest';
import {
  ask,
  gitVersionModule,
  namedVersionModule,
  startVersionsApp,
  type VersionsTestApp,
} from './fixtures/versions-app';
import { startProxy, type SwitchableProxy } from '../fixtures/switchable-proxy';

const READ_VERSIONS = path.join(__dirname, 'fixtures', 'read-versions.py');
const trackingUri = () => process.env.MLFLOW_TEST_TRACKING_URI as string;

interface PythonModel {
  model_id: string;
  name: string;
  status: string;
  tags: Record<string, string>;
}

async function python<T>(...args: string[]): Promise<T> {
  return JSON.parse(await runMlflowPython([READ_VERSIONS, ...args])) as T;
}

/** `mlflow.search_logged_models` in the experiment. */
const modelsOf = async (experimentId: string, filter: string) =>
  (await python<{ models: PythonModel[] }>('models', experimentId, filter)).models;

/** `mlflow.search_traces(model_id=...)` in the experiment, sorted. */
const tracesOf = async (experimentId: string, modelId: string) =>
  (await python<{ trace_ids: string[] }>('traces', experimentId, modelId)).trace_ids.sort();

/** Waits until MLflow has every trace's info (StartTraceV3 landed). */
const landed = (traceIds: string[]) =>
  Promise.all(
    traceIds.map((id) =>
      waitFor(async () => ((await getTraceInfo(id)).tags?.['mlflow.traceName'] ? true : undefined)),
    ),
  );

const sorted = (ids: string[]) => [...ids].sort();

describe('versions: a named version', () => {
  let experimentId: string;
  let versioned: VersionsTestApp;
  let other: VersionsTestApp;

  beforeAll(async () => {
    experimentId = await createExperiment(`versions-named-${Date.now()}`);
    const test = { trackingUri: trackingUri(), experimentId, export: { scheduledDelayMs: 50 } };
    versioned = await startVersionsApp(namedVersionModule(test));
    // Another app tracing into the same experiment, with no version: its traces stay out.
    other = await startVersionsApp(MlflowTracingModule.forRoot({ ...test, version: false }));
  });
  afterAll(async () => {
    await versioned?.app.close();
    await other?.app.close();
  });

  it("links exactly the app's traces to the LoggedModel, per-request versions to theirs, and agrees with Python's set_active_model", async () => {
    const a = [await ask(versioned.url, 'one'), await ask(versioned.url, 'two')];
    a.push(await ask(versioned.url, 'three'));
    const b = [await ask(versioned.url, 'four', 'b'), await ask(versioned.url, 'five', 'b')];
    const unversioned = [await ask(other.url, 'six'), await ask(other.url, 'seven')];
    await versioned.tracing.flush();
    await other.tracing.flush();
    await landed([...a, ...b, ...unversioned]);

    const [v2] = await modelsOf(experimentId, "name='chat-bot-v2'");
    expect(await modelsOf(experimentId, "name='chat-bot-v2'")).toHaveLength(1);
    // As `mlflow.create_external_model` leaves it.
    expect(v2).toMatchObject({
      name: 'chat-bot-v2',
      status: 'READY',
      tags: { 'mlflow.model.isExternal': 'true' },
    });
    expect(await tracesOf(experimentId, v2.model_id)).toEqual(sorted(a));

    const v3 = await modelsOf(experimentId, "name='chat-bot-v3'");
    expect(v3).toHaveLength(1);
    expect(await tracesOf(experimentId, v3[0].model_id)).toEqual(sorted(b));

    // A Python job naming the same version in the experiment gets the same LoggedModel.
    const fromPython = await python<{ model_id: string }>(
      'set-active',
      experimentId,
      'chat-bot-v2',
    );
    expect(fromPython.model_id).toBe(v2.model_id);
    expect(await modelsOf(experimentId, '')).toHaveLength(2);

    const info = await getTraceInfo(unversioned[0]);
    expect(info.trace_metadata?.['mlflow.modelId']).toBeUndefined();
    expect(versioned.tracing.getExportStats()).toMatchObject({ unlinked: 0 });
  });
});

describe('versions: replicas starting together', () => {
  it('agree on one LoggedModel of the name', async () => {
    const experimentId = await createExperiment(`versions-replicas-${Date.now()}`);
    const test = { trackingUri: trackingUri(), experimentId, export: { scheduledDelayMs: 50 } };
    const replicas = await Promise.all(
      [1, 2, 3].map(() => startVersionsApp(namedVersionModule(test))),
    );
    try {
      const traces = await Promise.all(replicas.map((replica) => ask(replica.url, 'hello')));
      await Promise.all(replicas.map((replica) => replica.tracing.flush()));
      await landed(traces);
      const models = await modelsOf(experimentId, "name='chat-bot-v2'");
      expect(models).toHaveLength(1);
      expect(await tracesOf(experimentId, models[0].model_id)).toEqual(sorted(traces));
    } finally {
      await Promise.all(replicas.map((replica) => replica.app.close()));
    }
  });
});

describe('versions: git mode', () => {
  let repo: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();

  beforeAll(() => {
    repo = mkdtempSync(path.join(os.tmpdir(), 'versions-git-'));
    git('init', '-q');
    git('checkout', '-q', '-b', 'feature/answers');
    writeFileSync(path.join(repo, 'prompt.txt'), 'Answer briefly.\n');
    git('add', 'prompt.txt');
    git('commit', '-q', '-m', 'first prompt');
    git('remote', 'add', 'origin', 'https://git.example.com/acme/chat-bot.git');
    // Uncommitted work: the version is dirty and carries the diff.
    writeFileSync(path.join(repo, 'prompt.txt'), 'Answer briefly and politely.\n');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it("names the version after the git state with MLflow's tags, and agrees with Python's enable_git_model_versioning", async () => {
    const experimentId = await createExperiment(`versions-git-${Date.now()}`);
    const home = process.cwd();
    let running: VersionsTestApp;
    process.chdir(repo); // the app runs from the checkout
    try {
      running = await startVersionsApp(
        gitVersionModule({
          trackingUri: trackingUri(),
          experimentId,
          export: { scheduledDelayMs: 50 },
        }),
      );
    } finally {
      process.chdir(home);
    }
    try {
      const traces = [await ask(running.url, 'one'), await ask(running.url, 'two')];
      await running.tracing.flush();
      await landed(traces);

      const commit = git('rev-parse', 'HEAD');
      const models = await modelsOf(
        experimentId,
        `tags.\`mlflow.source.git.commit\` = '${commit}'`,
      );
      expect(models).toHaveLength(1);
      expect(models[0].tags).toMatchObject({
        'mlflow.source.git.commit': commit,
        'mlflow.source.git.branch': 'feature/answers',
        'mlflow.source.git.dirty': 'true',
        'mlflow.source.git.repoURL': 'https://git.example.com/acme/chat-bot.git',
      });
      expect(models[0].tags['mlflow.source.git.diff']).toContain('+Answer briefly and politely.');
      expect(await tracesOf(experimentId, models[0].model_id)).toEqual(sorted(traces));

      const fromPython = await python<{ model_id: string }>('git', experimentId, repo);
      expect(fromPython.model_id).toBe(models[0].model_id);
      expect(await modelsOf(experimentId, '')).toHaveLength(1);
    } finally {
      await running.app.close();
    }
  });
});

describe('versions: MLflow down at startup', () => {
  let proxy: SwitchableProxy;
  beforeAll(async () => {
    proxy = await startProxy(trackingUri());
  });
  afterAll(() => proxy.close());

  it('starts and traces at once, and links the traces made before MLflow came up', async () => {
    const experimentId = await createExperiment(`versions-down-${Date.now()}`);
    proxy.up = false;
    const started = Date.now();
    const running = await startVersionsApp(
      namedVersionModule({
        trackingUri: proxy.url,
        experimentId,
        export: { scheduledDelayMs: 50 },
      }),
    );
    try {
      const traces = [await ask(running.url, 'one'), await ask(running.url, 'two')];
      // Startup and the requests did not wait for MLflow.
      expect(Date.now() - started).toBeLessThan(5_000);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(running.tracing.getExportStats()).toMatchObject({ exported: 0, pending: 2 });

      proxy.up = true;
      await waitFor(
        async () => (running.tracing.getExportStats()?.exported === 2 ? true : undefined),
        { timeoutMs: 45_000, intervalMs: 250 },
      );
      const models = await modelsOf(experimentId, "name='chat-bot-v2'");
      expect(models).toHaveLength(1);
      expect(await tracesOf(experimentId, models[0].model_id)).toEqual(sorted(traces));
      expect(running.tracing.getExportStats()).toMatchObject({ unlinked: 0 });
    } finally {
      await running.app.close();
    }
  });

  it('sends traces without a version, counted as unlinked, when MLflow refuses the LoggedModel API', async () => {
    const experimentId = await createExperiment(`versions-refused-${Date.now()}`);
    proxy.up = true;
    proxy.refuse = /\/logged-models/;
    proxy.requests.length = 0;
    const running = await startVersionsApp(
      namedVersionModule({
        trackingUri: proxy.url,
        experimentId,
        export: { scheduledDelayMs: 50 },
      }),
    );
    try {
      const traces = [await ask(running.url, 'one'), await ask(running.url, 'two')];
      await running.tracing.flush();
      await landed(traces);
      for (const id of traces) {
        expect((await getTraceInfo(id)).trace_metadata?.['mlflow.modelId']).toBeUndefined();
      }
      expect(running.tracing.getExportStats()).toMatchObject({ exported: 2, unlinked: 2 });
      expect(proxy.requests.filter((line) => line.includes('/logged-models'))).toHaveLength(1);
    } finally {
      proxy.refuse = undefined;
      await running.app.close();
    }
  });
});
