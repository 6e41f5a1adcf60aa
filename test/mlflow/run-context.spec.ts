import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  processRunContext,
  readGitCheckout,
  resolveRunContext,
  stripCredentials,
  type RunContextSources,
} from '../../lib/mlflow/run-context';
import { buildStartTraceBody } from '../../lib/mlflow/trace-info';
import { TracingService } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

const SHA = 'a'.repeat(40);
const OTHER_SHA = 'b'.repeat(40);

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'run-context-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes files under `root`: `{ 'repo/.git/HEAD': 'ref: …' }`. */
function files(entries: Record<string, string>): void {
  for (const [file, text] of Object.entries(entries)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
}

function sources(overrides: Partial<RunContextSources> = {}): RunContextSources {
  return {
    argv: ['/usr/bin/node', path.join(root, 'app', 'dist', 'main.js')],
    cwd: path.join(root, 'app'),
    env: {},
    osUser: () => 'deploy',
    ...overrides,
  };
}

describe('resolveRunContext', () => {
  it("writes Python's keys: the entry script, LOCAL, the user and the checkout's commit, branch and remote", () => {
    files({
      'app/.git/HEAD': 'ref: refs/heads/main\n',
      'app/.git/refs/heads/main': `${SHA}\n`,
      'app/.git/config':
        '[core]\n\tbare = false\n[remote "origin"]\n\turl = https://bot:ghp_secret@github.com/acme/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
    });
    expect(resolveRunContext(sources())).toEqual({
      'mlflow.source.name': path.join('dist', 'main.js'),
      'mlflow.source.type': 'LOCAL',
      'mlflow.user': 'deploy',
      'mlflow.source.git.commit': SHA,
      'mlflow.source.git.branch': 'main',
      'mlflow.source.git.repoURL': 'https://github.com/acme/app.git',
    });
  });

  it('finds the checkout from a subdirectory, and a branch only in packed-refs', () => {
    files({
      '.git/HEAD': 'ref: refs/heads/release/1.2\n',
      '.git/packed-refs': `# pack-refs with: peeled fully-peeled sorted\n${OTHER_SHA} refs/heads/main\n${SHA} refs/heads/release/1.2\n`,
    });
    expect(readGitCheckout(path.join(root, 'app', 'src'))).toEqual({
      commit: SHA,
      branch: 'release/1.2',
    });
  });

  it('reads a detached HEAD (a CI checkout) as a commit without a branch', () => {
    files({ '.git/HEAD': `${SHA}\n` });
    expect(readGitCheckout(root)).toEqual({ commit: SHA });
  });

  it("follows a worktree's .git file to its git dir, and its commondir for branches and remotes", () => {
    files({
      'main/.git/HEAD': 'ref: refs/heads/main\n',
      'main/.git/refs/heads/feature': `${SHA}\n`,
      'main/.git/config': '[remote "upstream"]\n\turl = git@github.com:acme/app.git\n',
      'main/.git/worktrees/feature/HEAD': 'ref: refs/heads/feature\n',
      'main/.git/worktrees/feature/commondir': '../..\n',
      'feature/.git': `gitdir: ${path.join(root, 'main/.git/worktrees/feature')}\n`,
    });
    expect(readGitCheckout(path.join(root, 'feature'))).toEqual({
      commit: SHA,
      branch: 'feature',
      repoUrl: 'git@github.com:acme/app.git',
    });
  });

  it('takes the commit from a CI variable outside a checkout, and leaves out what it cannot know', () => {
    const context = resolveRunContext(
      sources({ env: { GITHUB_SHA: SHA.toUpperCase(), GIT_COMMIT: 'not-a-sha' } }),
    );
    expect(context['mlflow.source.git.commit']).toBe(SHA);
    expect(context).not.toHaveProperty('mlflow.source.git.branch');
    expect(context).not.toHaveProperty('mlflow.source.git.repoURL');
    expect(resolveRunContext(sources())).not.toHaveProperty('mlflow.source.git.commit');
  });

  it('prefers the checkout to CI variables', () => {
    files({ 'app/.git/HEAD': `${SHA}\n` });
    const context = resolveRunContext(sources({ env: { GIT_COMMIT: OTHER_SHA } }));
    expect(context['mlflow.source.git.commit']).toBe(SHA);
  });

  it("names the user as Python does: the tracking user, then LOGNAME/USER/…, then the OS account, else 'unknown'", () => {
    const user = (overrides: Partial<RunContextSources>) =>
      resolveRunContext(sources(overrides))['mlflow.user'];
    expect(user({ trackingUsername: 'alice', env: { MLFLOW_TRACKING_USERNAME: 'bob' } })).toBe(
      'alice',
    );
    expect(user({ env: { MLFLOW_TRACKING_USERNAME: 'bob', USER: 'carol' } })).toBe('bob');
    expect(user({ env: { USER: 'carol', USERNAME: 'dave' } })).toBe('carol');
    expect(user({})).toBe('deploy');
    const noAccount = () => {
      throw new Error('ENOENT: no passwd entry');
    };
    expect(user({ osUser: noAccount })).toBe('unknown');
  });

  it("names the entry script as given when outside the working directory, '<console>' without one", () => {
    const name = (argv: string[]) => resolveRunContext(sources({ argv }))['mlflow.source.name'];
    expect(name(['node', '/srv/other/main.js'])).toBe('/srv/other/main.js');
    expect(name(['node', 'dist/main.js'])).toBe('dist/main.js');
    expect(name(['node'])).toBe('<console>');
  });

  it('lets MLFLOW_RUN_CONTEXT (JSON, as Python reads it) override its keys, and only those', () => {
    const context = resolveRunContext(
      sources({
        env: {
          MLFLOW_RUN_CONTEXT: JSON.stringify({
            'mlflow.source.name': 'orders-api',
            'mlflow.source.type': 'JOB',
            'mlflow.runName': 'not a trace key',
            'mlflow.user': 42,
          }),
        },
      }),
    );
    expect(context).toMatchObject({
      'mlflow.source.name': 'orders-api',
      'mlflow.source.type': 'JOB',
      'mlflow.user': 'deploy',
    });
    expect(context).not.toHaveProperty('mlflow.runName');
    expect(() =>
      resolveRunContext(sources({ env: { MLFLOW_RUN_CONTEXT: '{not json' } })),
    ).not.toThrow();
  });

  it("is this process's own, computed once", () => {
    const context = processRunContext();
    expect(processRunContext()).toBe(context);
    expect(context['mlflow.source.type']).toBe('LOCAL');
    expect(Object.isFrozen(context)).toBe(true);
  });
});

describe('stripCredentials', () => {
  it.each([
    ['https://user:token@github.com/a/b.git', 'https://github.com/a/b.git'],
    ['https://token@gitlab.com/a/b', 'https://gitlab.com/a/b'],
    ['git@github.com:a/b.git', 'git@github.com:a/b.git'],
    ['ssh://git@host:22/a/b', 'ssh://host:22/a/b'],
    ['/srv/git/app.git', '/srv/git/app.git'],
  ])('%s -> %s', (url, expected) => {
    expect(stripCredentials(url)).toBe(expected);
  });
});

describe('run context on the trace info', () => {
  it("goes under the trace's own metadata, which wins on the same key", async () => {
    const { app, exporter } = await bootWithMemoryExporter({});
    const tracing = app.get(TracingService);
    tracing.withSpan('root', () =>
      tracing.updateCurrentTrace({ metadata: { 'mlflow.source.name': 'set by the app' } }),
    );
    const [trace] = exporter.getTraces();
    await app.close();
    const body = buildStartTraceBody(trace, '1', undefined, {
      'mlflow.source.name': 'dist/main.js',
      'mlflow.user': 'deploy',
      'service.name': 'orders',
    }) as { trace: { trace_info: { trace_metadata: Record<string, string> } } };
    expect(body.trace.trace_info.trace_metadata).toMatchObject({
      'mlflow.source.name': 'set by the app',
      'mlflow.user': 'deploy',
      'service.name': 'orders',
      'mlflow.trace_schema.version': '3',
    });
  });
});
