import { gitStateFromEnv, readGitState, withoutCredentials } from '../../lib/versions/git-state';
import { filterComparison } from '../../lib/versions/logged-models';
import { gitSearchTags } from '../../lib/versions/model-versions';

const SHA = '0123456789abcdef0123456789abcdef01234567';

/** A fake `git`: answers by the command's first words; a missing answer fails like git does. */
function fakeGit(answers: Record<string, string>) {
  const calls: string[] = [];
  const run = (args: readonly string[]) => {
    const key = Object.keys(answers).find((prefix) => args.join(' ').startsWith(prefix));
    calls.push(args.join(' '));
    return key === undefined
      ? Promise.reject(new Error(`git ${args[0]} failed`))
      : Promise.resolve(answers[key]);
  };
  return { run, calls };
}

describe('readGitState', () => {
  it('reads commit, branch, a clean tree and the origin URL from git', async () => {
    const git = fakeGit({
      'rev-parse --verify HEAD': `${SHA.toUpperCase()}\n`,
      'symbolic-ref': 'feature/answers\n',
      diff: '',
      'config --get remote.origin.url': 'git@github.com:acme/chat-bot.git\n',
    });
    expect(await readGitState({}, git.run)).toEqual({
      commit: SHA,
      branch: 'feature/answers',
      dirty: false,
      repoUrl: 'git@github.com:acme/chat-bot.git',
      diff: undefined,
      source: 'git',
    });
  });

  it('marks a tree with staged or unstaged changes dirty and keeps both diffs, as MLflow does', async () => {
    const git = fakeGit({
      'rev-parse --verify HEAD': SHA,
      'symbolic-ref': 'main',
      'diff --no-ext-diff --no-color --abbrev': ':100644 100644 a b M\tprompt.txt',
      'diff --cached --no-ext-diff --no-color --abbrev': ':100644 100644 c d M\tapp.ts',
      'diff --no-ext-diff --no-color': '-old\n+new\n',
      'diff --cached --no-ext-diff --no-color': '-a\n+b\n',
      'config --get remote.origin.url':
        'https://x-access-token:ghs_secret@github.com/acme/chat-bot',
    });
    const state = await readGitState({}, git.run);
    expect(state).toMatchObject({ dirty: true, diff: '-old\n+new\n-a\n+b' });
    // Credentials in the remote URL never reach MLflow.
    expect(state?.repoUrl).toBe('https://github.com/acme/chat-bot');
  });

  it('takes the branch of a detached HEAD from the CI when it built this commit', async () => {
    const git = fakeGit({ 'rev-parse --verify HEAD': SHA, diff: '' });
    const env = { GITHUB_SHA: SHA, GITHUB_REF_NAME: 'main' };
    expect(await readGitState(env, git.run)).toMatchObject({ branch: 'main', source: 'git' });
    expect(await readGitState({}, git.run)).toMatchObject({ branch: undefined });
  });

  it('falls back to CI/CD variables without git or outside a checkout', async () => {
    const noGit = fakeGit({});
    const env = {
      GITHUB_SHA: SHA,
      GITHUB_REF_NAME: 'main',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_REPOSITORY: 'acme/chat-bot',
    };
    expect(await readGitState(env, noGit.run)).toEqual({
      commit: SHA,
      branch: 'main',
      dirty: false,
      repoUrl: 'https://github.com/acme/chat-bot',
      diff: undefined,
      source: 'GITHUB_SHA',
    });
    expect(await readGitState({}, noGit.run)).toBeUndefined();
  });
});

describe('gitStateFromEnv', () => {
  it.each<[Record<string, string>, object]>([
    [
      { CI_COMMIT_SHA: SHA, CI_COMMIT_REF_NAME: 'main', CI_PROJECT_URL: 'https://gitlab.com/a/b' },
      { source: 'CI_COMMIT_SHA', branch: 'main', repoUrl: 'https://gitlab.com/a/b' },
    ],
    [
      {
        GIT_COMMIT: SHA,
        GIT_BRANCH: 'origin/release',
        GIT_URL: 'https://u:p@git.example.com/b.git',
      },
      { source: 'GIT_COMMIT', branch: 'release', repoUrl: 'https://git.example.com/b.git' },
    ],
    [{ SOURCE_VERSION: SHA }, { source: 'SOURCE_VERSION', branch: undefined, repoUrl: undefined }],
    [
      { CODEBUILD_RESOLVED_SOURCE_VERSION: SHA, CODEBUILD_WEBHOOK_HEAD_REF: 'refs/heads/main' },
      { branch: 'main' },
    ],
  ])('reads %j', (env, expected) => {
    expect(gitStateFromEnv(env)).toMatchObject({ commit: SHA, dirty: false, ...expected });
  });

  it('ignores a variable that holds no commit hash', () => {
    expect(gitStateFromEnv({ GIT_COMMIT: 'latest', SOURCE_VERSION: '' })).toBeUndefined();
  });
});

describe('LoggedModel search by git state', () => {
  it("searches MLflow's tags in MLflow's order, the diff aside", () => {
    const tags = gitSearchTags({
      commit: SHA,
      branch: 'main',
      dirty: true,
      repoUrl: 'https://github.com/acme/chat-bot',
      diff: '+x',
      source: 'git',
    });
    expect(Object.entries(tags)).toEqual([
      ['mlflow.source.git.branch', 'main'],
      ['mlflow.source.git.commit', SHA],
      ['mlflow.source.git.dirty', 'true'],
      ['mlflow.source.git.repoURL', 'https://github.com/acme/chat-bot'],
    ]);
  });

  it("quotes values MLflow's filter parser cannot read with an IN list", () => {
    expect(filterComparison('name', 'main')).toBe("name = 'main'");
    expect(filterComparison('tags.`b`', "it's\\x")).toBe("tags.`b` IN ('it\\'s\\\\x')");
  });

  it('strips only credentials from URLs', () => {
    expect(withoutCredentials('ssh://git@host/repo.git')).toBe('ssh://host/repo.git');
    expect(withoutCredentials('git@github.com:a/b.git')).toBe('git@github.com:a/b.git');
    expect(withoutCredentials(undefined)).toBeUndefined();
  });
});
