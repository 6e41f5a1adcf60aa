import { execFile } from 'node:child_process';

type Env = Record<string, string | undefined>;

/** The git state a version is named after (what `mlflow.genai.enable_git_model_versioning()` reads). */
export interface GitState {
  /** Full commit hash, lowercase. */
  readonly commit: string;
  /** Branch name; absent on a detached HEAD with no CI variable naming it. */
  readonly branch: string | undefined;
  /** Tracked files changed, staged or not (untracked files do not count, as in MLflow). */
  readonly dirty: boolean;
  /** URL of the `origin` remote, without any credentials it embeds. */
  readonly repoUrl: string | undefined;
  /** `git diff` then `git diff --cached`, when dirty. */
  readonly diff: string | undefined;
  /** Where it was read: `git`, or the CI/CD variable that gave the commit (e.g. `GITHUB_SHA`). */
  readonly source: string;
}

/** Runs `git` with these arguments in the app's directory; resolves with stdout, rejects on failure. */
export type RunGit = (args: readonly string[]) => Promise<string>;

/** Largest diff kept for the `mlflow.source.git.diff` tag; a longer one is cut with a marker. */
export const MAX_DIFF_CHARS = 64 * 1024;
const CUT_MARKER = '\n[diff cut at 65536 characters by nestjs-mlflow-tracing]';

/** CI/CD and hosting variables, per provider: the commit, the branch, the repository URL. */
const CI_PROVIDERS: readonly {
  commit: string;
  branch: readonly string[];
  repoUrl?: (env: Env) => string | undefined;
}[] = [
  {
    commit: 'GITHUB_SHA',
    branch: ['GITHUB_HEAD_REF', 'GITHUB_REF_NAME'],
    repoUrl: (env) =>
      env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY
        ? `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`
        : undefined,
  },
  {
    commit: 'CI_COMMIT_SHA',
    branch: ['CI_COMMIT_BRANCH', 'CI_MERGE_REQUEST_SOURCE_BRANCH_NAME', 'CI_COMMIT_REF_NAME'],
    repoUrl: (env) => env.CI_PROJECT_URL,
  },
  {
    commit: 'BITBUCKET_COMMIT',
    branch: ['BITBUCKET_BRANCH'],
    repoUrl: (env) => env.BITBUCKET_GIT_HTTP_ORIGIN,
  },
  { commit: 'CIRCLE_SHA1', branch: ['CIRCLE_BRANCH'], repoUrl: (env) => env.CIRCLE_REPOSITORY_URL },
  {
    commit: 'BUILDKITE_COMMIT',
    branch: ['BUILDKITE_BRANCH'],
    repoUrl: (env) => env.BUILDKITE_REPO,
  },
  {
    commit: 'BUILD_SOURCEVERSION',
    branch: ['BUILD_SOURCEBRANCHNAME'],
    repoUrl: (env) => env.BUILD_REPOSITORY_URI,
  },
  {
    commit: 'CODEBUILD_RESOLVED_SOURCE_VERSION',
    branch: ['CODEBUILD_WEBHOOK_HEAD_REF'],
    repoUrl: (env) => env.CODEBUILD_SOURCE_REPO_URL,
  },
  {
    commit: 'DRONE_COMMIT_SHA',
    branch: ['DRONE_BRANCH'],
    repoUrl: (env) => env.DRONE_GIT_HTTP_URL,
  },
  { commit: 'TRAVIS_COMMIT', branch: ['TRAVIS_BRANCH'] },
  { commit: 'VERCEL_GIT_COMMIT_SHA', branch: ['VERCEL_GIT_COMMIT_REF'] },
  { commit: 'RENDER_GIT_COMMIT', branch: ['RENDER_GIT_BRANCH'] },
  { commit: 'RAILWAY_GIT_COMMIT_SHA', branch: ['RAILWAY_GIT_BRANCH'] },
  { commit: 'CF_PAGES_COMMIT_SHA', branch: ['CF_PAGES_BRANCH'] },
  { commit: 'COMMIT_REF', branch: ['BRANCH'], repoUrl: (env) => env.REPOSITORY_URL },
  // Jenkins, and the usual build argument of a Docker image built without its .git.
  {
    commit: 'GIT_COMMIT',
    branch: ['GIT_LOCAL_BRANCH', 'GIT_BRANCH', 'BRANCH_NAME'],
    repoUrl: (env) => env.GIT_URL,
  },
  { commit: 'COMMIT_SHA', branch: ['BRANCH_NAME'] },
  { commit: 'SOURCE_VERSION', branch: ['SOURCE_BRANCH'] },
  { commit: 'HEROKU_SLUG_COMMIT', branch: [] },
  { commit: 'SOURCE_COMMIT', branch: ['SOURCE_BRANCH'] },
];

/** Names of the variables read for the commit, in the order they are tried. */
export const CI_COMMIT_VARIABLES = CI_PROVIDERS.map((provider) => provider.commit);

/**
 * The git state at startup, read asynchronously: from `git` in `cwd` when it is a checkout,
 * else from the first CI/CD variable holding a commit hash. `undefined` when neither says.
 */
export async function readGitState(
  env: Env = process.env,
  runGit: RunGit = gitIn(process.cwd()),
): Promise<GitState | undefined> {
  const fromEnv = gitStateFromEnv(env);
  let commit: string;
  try {
    commit = (await runGit(['rev-parse', '--verify', 'HEAD'])).trim().toLowerCase();
  } catch {
    return fromEnv; // no git, not a checkout, or a repository without commits
  }
  if (!/^[0-9a-f]{7,64}$/.test(commit)) return fromEnv;
  const [branch, unstaged, staged, remoteUrl] = await Promise.all([
    runGit(['symbolic-ref', '--short', '-q', 'HEAD']).then(trimmed, () => undefined),
    runGit(['diff', '--no-ext-diff', '--no-color', '--abbrev=40', '--full-index', '--raw']).then(
      trimmed,
      () => '',
    ),
    runGit([
      'diff',
      '--cached',
      '--no-ext-diff',
      '--no-color',
      '--abbrev=40',
      '--full-index',
      '--raw',
    ]).then(trimmed, () => ''),
    runGit(['config', '--get', 'remote.origin.url']).then(trimmed, () => undefined),
  ]);
  const dirty = Boolean(unstaged) || Boolean(staged);
  return {
    commit,
    // A detached HEAD (a CI checkout of a commit): the CI's branch variable, when it has one.
    branch: branch || (fromEnv?.commit === commit ? fromEnv.branch : undefined),
    dirty,
    repoUrl: withoutCredentials(remoteUrl || undefined),
    diff: dirty ? await readDiff(runGit) : undefined,
    source: 'git',
  };
}

/** The first CI/CD provider whose commit variable holds a commit hash. */
export function gitStateFromEnv(env: Env): GitState | undefined {
  for (const provider of CI_PROVIDERS) {
    const commit = env[provider.commit]?.trim().toLowerCase();
    if (commit === undefined || !/^[0-9a-f]{7,64}$/.test(commit)) continue;
    const branchVar = provider.branch.find((name) => nonEmpty(env[name]) !== undefined);
    return {
      commit,
      branch: branchVar === undefined ? undefined : branchName(env[branchVar]!.trim()),
      // A CI/CD build works on a clean checkout of the commit.
      dirty: false,
      repoUrl: withoutCredentials(nonEmpty(provider.repoUrl?.(env))),
      diff: undefined,
      source: provider.commit,
    };
  }
  return undefined;
}

/** `git diff` then `git diff --cached`, as MLflow's git versioning stores them. */
async function readDiff(runGit: RunGit): Promise<string | undefined> {
  const [unstaged, staged] = await Promise.all([
    runGit(['diff', '--no-ext-diff', '--no-color']).then(withoutFinalNewline, () => ''),
    runGit(['diff', '--cached', '--no-ext-diff', '--no-color']).then(withoutFinalNewline, () => ''),
  ]);
  const diff = unstaged && staged ? `${unstaged}\n${staged}` : unstaged || staged;
  if (!diff) return undefined;
  return diff.length > MAX_DIFF_CHARS ? diff.slice(0, MAX_DIFF_CHARS) + CUT_MARKER : diff;
}

/** `refs/heads/main` and Jenkins' `origin/main` are both `main`. */
function branchName(value: string): string {
  return value.replace(/^refs\/heads\//, '').replace(/^origin\//, '');
}

/** A remote URL with a token or password in it (`https://user:token@host/...`) loses them. */
export function withoutCredentials(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/@]*@)(.*)$/i.exec(url);
  return match ? match[1] + match[3] : url;
}

/** `git` in a directory, with a deadline, off the event loop. */
export function gitIn(cwd: string, timeoutMs = 10_000): RunGit {
  return (args) =>
    new Promise((resolve, reject) => {
      execFile(
        'git',
        args as string[],
        {
          cwd,
          timeout: timeoutMs,
          maxBuffer: 32 * 1024 * 1024,
          windowsHide: true,
          env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
        },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      );
    });
}

function trimmed(text: string): string {
  return text.trim();
}

function withoutFinalNewline(text: string): string {
  return text.replace(/\n$/, '');
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
