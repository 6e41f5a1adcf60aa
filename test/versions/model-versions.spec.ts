import { Logger } from '@nestjs/common';
import { ExperimentResolver } from '../../lib/mlflow/experiment-resolver';
import type { MlflowHttpClient } from '../../lib/mlflow/mlflow-http-client';
import { MlflowHttpError } from '../../lib/mlflow/mlflow-http.error';
import type { ResolvedVersion } from '../../lib/options/version-defaults';
import type { GitState } from '../../lib/versions/git-state';
import { ModelVersions } from '../../lib/versions/model-versions';

type Call = { method: string; path: string; body: unknown };
type Answer = (call: Call) => unknown;

/** A fake MLflow: records each call, answers with `answer` (a thrown error is the failure). */
function fakeMlflow(answer: Answer) {
  const calls: Call[] = [];
  const client = {
    json: (method: string, path: string, body?: unknown) => {
      const call = { method, path, body };
      calls.push(call);
      try {
        return Promise.resolve(answer(call));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
  } as unknown as MlflowHttpClient;
  return { client, calls };
}

const model = (id: string, name = 'chat-bot-v2') => ({ info: { model_id: id, name } });
const refused = (path: string) => new MlflowHttpError('POST', path, 404, undefined, 'Not Found');
const down = () =>
  Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

function versions(
  version: ResolvedVersion,
  answer: Answer,
  git: () => Promise<GitState | undefined> = () => Promise.resolve(undefined),
) {
  const mlflow = fakeMlflow(answer);
  const experiments = new ExperimentResolver(mlflow.client, { id: '7' });
  return { ...mlflow, versions: new ModelVersions(mlflow.client, experiments, version, git, 0) };
}

describe('ModelVersions', () => {
  beforeEach(() => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'debug').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('uses an id as is, with no call to MLflow', async () => {
    const { versions: v, calls } = versions({ kind: 'id', id: 'm-1' }, () => ({}));
    v.start();
    expect(v.knownId()).toBe('m-1');
    expect(await v.idFor(undefined)).toBe('m-1');
    expect(calls).toEqual([]);
  });

  it('reuses the newest LoggedModel of the name, as set_active_model(name=...) does', async () => {
    const { versions: v, calls } = versions({ kind: 'name', name: 'chat-bot-v2' }, () => ({
      models: [model('m-new'), model('m-old')],
    }));
    expect(v.knownId()).toBeUndefined();
    expect(await v.idFor(undefined)).toBe('m-new');
    expect(await v.idFor(undefined)).toBe('m-new');
    expect(v.knownId()).toBe('m-new');
    expect(calls).toEqual([
      {
        method: 'POST',
        path: '/api/2.0/mlflow/logged-models/search',
        body: { experiment_ids: ['7'], filter: "name='chat-bot-v2'", max_results: 2 },
      },
    ]);
  });

  it('creates a missing one as an external model marked READY, as create_external_model does', async () => {
    let created = false;
    const { versions: v, calls } = versions({ kind: 'name', name: 'chat-bot-v2' }, (call) => {
      if (call.path.endsWith('/search')) return { models: created ? [model('m-1')] : [] };
      if (call.method === 'POST') {
        created = true;
        return { model: model('m-1') };
      }
      return {};
    });
    expect(await v.idFor(undefined)).toBe('m-1');
    expect(calls.map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /api/2.0/mlflow/logged-models/search',
      'POST /api/2.0/mlflow/logged-models',
      'POST /api/2.0/mlflow/logged-models/search',
      'PATCH /api/2.0/mlflow/logged-models/m-1',
    ]);
    expect(calls[1].body).toEqual({
      experiment_id: '7',
      name: 'chat-bot-v2',
      tags: [{ key: 'mlflow.model.isExternal', value: 'true' }],
    });
    expect(calls[3].body).toEqual({ model_id: 'm-1', status: 'LOGGED_MODEL_READY' });
  });

  it('gives way to an older copy another replica created at the same time, deleting its own', async () => {
    const { versions: v, calls } = versions({ kind: 'name', name: 'chat-bot-v2' }, (call) => {
      if (call.path.endsWith('/search')) {
        return { models: (call.body as { order_by?: unknown }).order_by ? [model('m-first')] : [] };
      }
      return call.method === 'POST' ? { model: model('m-mine') } : {};
    });
    expect(await v.idFor(undefined)).toBe('m-first');
    expect(calls[2].body).toMatchObject({
      order_by: [
        { field_name: 'creation_timestamp', ascending: true },
        { field_name: 'model_id', ascending: true },
      ],
    });
    expect(calls.at(-1)).toMatchObject({
      method: 'DELETE',
      path: '/api/2.0/mlflow/logged-models/m-mine',
    });
  });

  it('rejects while MLflow does not answer, caching nothing, then links once it does', async () => {
    let up = false;
    const { versions: v } = versions({ kind: 'name', name: 'chat-bot-v2' }, () => {
      if (!up) throw down();
      return { models: [model('m-1')] };
    });
    v.start();
    await expect(v.idFor(undefined)).rejects.toThrow('fetch failed');
    up = true;
    expect(await v.idFor(undefined)).toBe('m-1');
    expect(v.unlinked).toBe(0);
  });

  it('sends traces unlinked and counts them when MLflow refuses, with one warning and no retry for a while', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const { versions: v, calls } = versions({ kind: 'name', name: 'chat-bot-v2' }, (call) => {
      throw refused(call.path);
    });
    v.start();
    expect(await v.idFor(undefined)).toBeUndefined();
    expect(await v.idFor(undefined)).toBeUndefined();
    expect(v.unlinked).toBe(2);
    expect(calls).toHaveLength(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(
      /MLflow refused to find or create the app's version .*404.*counted as unlinked/,
    );
  });

  it("finds the git state's version by MLflow's tags and refreshes them, or creates it unnamed", async () => {
    const state: GitState = {
      commit: 'abc1234',
      branch: 'main',
      dirty: true,
      repoUrl: undefined,
      diff: '+x',
      source: 'git',
    };
    const found = versions(
      { kind: 'git', name: undefined },
      (call) => (call.path.endsWith('/search') ? { models: [model('m-git', 'brave-fox-1')] } : {}),
      () => Promise.resolve(state),
    );
    expect(await found.versions.idFor(undefined)).toBe('m-git');
    expect(found.calls[0].body).toEqual({
      experiment_ids: ['7'],
      filter:
        "tags.`mlflow.source.git.branch` = 'main' AND tags.`mlflow.source.git.commit` = 'abc1234' AND tags.`mlflow.source.git.dirty` = 'true'",
      max_results: 1,
    });
    expect(found.calls[1]).toMatchObject({
      method: 'PATCH',
      path: '/api/2.0/mlflow/logged-models/m-git/tags',
      body: { tags: expect.arrayContaining([{ key: 'mlflow.source.git.diff', value: '+x' }]) },
    });

    let made = false;
    const created = versions(
      { kind: 'git', name: undefined },
      (call) => {
        if (call.path.endsWith('/search')) return { models: made ? [model('m-new', 'x')] : [] };
        made = true;
        return { model: model('m-new', 'x') };
      },
      () => Promise.resolve(state),
    );
    expect(await created.versions.idFor(undefined)).toBe('m-new');
    expect(created.calls[1].body).toEqual({
      experiment_id: '7',
      tags: [
        { key: 'mlflow.source.git.branch', value: 'main' },
        { key: 'mlflow.source.git.commit', value: 'abc1234' },
        { key: 'mlflow.source.git.dirty', value: 'true' },
        { key: 'mlflow.source.git.diff', value: '+x' },
      ],
    });
  });

  it('without any git state, uses the name given, else links nothing (counted)', async () => {
    const named = versions({ kind: 'git', name: 'chat-bot' }, () => ({ models: [model('m-n')] }));
    expect(await named.versions.idFor(undefined)).toBe('m-n');
    const unnamed = versions({ kind: 'git', name: undefined }, () => ({}));
    expect(await unnamed.versions.idFor(undefined)).toBeUndefined();
    expect(unnamed.versions.unlinked).toBe(1);
    expect(unnamed.calls).toEqual([]);
  });

  it('looks up names set per trace once each, refusing names MLflow would refuse without a call', async () => {
    const { versions: v, calls } = versions(undefined, (call) => ({
      models: [model(`m-${String((call.body as { filter: string }).filter).length}`)],
    }));
    expect(await v.idFor(undefined)).toBeUndefined();
    v.prepare('b');
    expect(calls).toHaveLength(0); // not started: traces do not go to MLflow
    v.start();
    v.prepare('b');
    expect(await v.idFor('b')).toBe('m-8');
    expect(v.knownId('b')).toBe('m-8');
    expect(await v.idFor('v1.2')).toBeUndefined();
    expect(calls).toHaveLength(1);
    expect(v.unlinked).toBe(1);
  });
});
