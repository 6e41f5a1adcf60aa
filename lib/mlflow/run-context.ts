import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';

/**
 * The run-context keys MLflow's Python SDK writes to every trace's metadata
 * (`mlflow/tracing/utils/environment.py`, `resolve_env_metadata`, filtered by
 * `TRACE_RESOLVE_TAGS_ALLOWLIST`; the Databricks ones aside). The UI's Source column and filter
 * read `mlflow.source.name`.
 */
export const RunContextKey = {
  SOURCE_NAME: 'mlflow.source.name',
  SOURCE_TYPE: 'mlflow.source.type',
  USER: 'mlflow.user',
  GIT_COMMIT: 'mlflow.source.git.commit',
  GIT_BRANCH: 'mlflow.source.git.branch',
  GIT_REPO_URL: 'mlflow.source.git.repoURL',
} as const;

const ALLOWED_KEYS = new Set<string>(Object.values(RunContextKey));

/**
 * Environment variables CI systems and platforms set to the commit being built or deployed,
 * read when the process does not run in a git checkout (a container image, a bundle).
 */
export const COMMIT_ENV_VARS = [
  'GIT_COMMIT', // Jenkins, and a common convention for Docker build args
  'GITHUB_SHA',
  'CI_COMMIT_SHA', // GitLab
  'BUILDKITE_COMMIT',
  'CIRCLE_SHA1',
  'BITBUCKET_COMMIT',
  'CODEBUILD_RESOLVED_SOURCE_VERSION',
  'VERCEL_GIT_COMMIT_SHA',
  'RENDER_GIT_COMMIT',
  'SOURCE_VERSION', // Heroku
  'COMMIT_SHA', // Google Cloud Build
] as const;

/** What the run context is read from; the process's own by default (tests pass their own). */
export interface RunContextSources {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The OS account's name, like Python's `getpass.getuser()` once the env vars are checked. */
  readonly osUser: () => string | undefined;
  /** The tracking server's basic-auth user name, which Python's `mlflow.user` prefers. */
  readonly trackingUsername?: string;
}

function processSources(trackingUsername?: string): RunContextSources {
  return {
    argv: process.argv,
    cwd: process.cwd(),
    env: process.env,
    osUser: () => userInfo().username,
    trackingUsername,
  };
}

/**
 * The run-context metadata of this process, as MLflow's Python SDK writes it on each trace:
 *
 * - `mlflow.source.name`: the entry script (`process.argv[1]`, relative to the working directory
 *   when inside it; Python: `sys.argv[0]`), or `<console>` without one;
 * - `mlflow.source.type`: `LOCAL`, as Python writes for a script (`SourceType.LOCAL`);
 * - `mlflow.user`: the tracking server user name (`MLFLOW_TRACKING_USERNAME`), else the OS user
 *   as `getpass.getuser()` finds it (`LOGNAME`, `USER`, `LNAME`, `USERNAME`, the account);
 * - `mlflow.source.git.commit`, `.branch`, `.repoURL`: from the git checkout holding the working
 *   directory (Python reads `os.getcwd()` too), read from the files under `.git` without running
 *   git; without a checkout, the commit from a CI variable (`COMMIT_ENV_VARS`). Unknown values
 *   are left out (Python writes `""`).
 *
 * `MLFLOW_RUN_CONTEXT` (a JSON object, as Python reads it) overrides any of these keys. Reads a
 * few small files once; never throws.
 */
export function resolveRunContext(
  sources: RunContextSources = processSources(),
): Record<string, string> {
  const context: Record<string, string> = {};
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined && value !== '') context[key] = value;
  };
  attempt(() => set(RunContextKey.USER, userName(sources)));
  attempt(() => set(RunContextKey.SOURCE_NAME, sourceName(sources)));
  set(RunContextKey.SOURCE_TYPE, 'LOCAL');
  attempt(() => {
    const git = readGitCheckout(sources.cwd);
    set(RunContextKey.GIT_COMMIT, git?.commit ?? commitFromEnv(sources.env));
    set(RunContextKey.GIT_BRANCH, git?.branch);
    set(RunContextKey.GIT_REPO_URL, git?.repoUrl);
  });
  attempt(() => Object.assign(context, explicitRunContext(sources.env.MLFLOW_RUN_CONTEXT)));
  return context;
}

let processContext: Readonly<Record<string, string>> | undefined;

/** `resolveRunContext()` of this process, computed on first use and kept. */
export function processRunContext(trackingUsername?: string): Readonly<Record<string, string>> {
  processContext ??= Object.freeze(resolveRunContext(processSources(trackingUsername)));
  return processContext;
}

function attempt(step: () => void): void {
  try {
    step();
  } catch {
    // A value we cannot read is left out; startup goes on.
  }
}

function userName(sources: RunContextSources): string | undefined {
  const fromEnv = [
    sources.trackingUsername,
    sources.env.MLFLOW_TRACKING_USERNAME,
    sources.env.LOGNAME,
    sources.env.USER,
    sources.env.LNAME,
    sources.env.USERNAME,
  ].find((name) => typeof name === 'string' && name !== '');
  if (fromEnv !== undefined) return fromEnv;
  try {
    return sources.osUser() || 'unknown';
  } catch {
    return 'unknown'; // no passwd entry (a container's arbitrary uid): Python's _DEFAULT_USER
  }
}

function sourceName(sources: RunContextSources): string {
  const entry = sources.argv[1];
  if (typeof entry !== 'string' || entry === '') return '<console>';
  if (!path.isAbsolute(entry)) return entry;
  const relative = path.relative(sources.cwd, entry);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative)
    ? relative
    : entry;
}

function commitFromEnv(env: RunContextSources['env']): string | undefined {
  for (const name of COMMIT_ENV_VARS) {
    const value = env[name]?.trim();
    if (value !== undefined && /^[0-9a-f]{7,64}$/i.test(value)) return value.toLowerCase();
  }
  return undefined;
}

function explicitRunContext(json: string | undefined): Record<string, string> {
  if (json === undefined || json.trim() === '') return {};
  const parsed = JSON.parse(json) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
  const context: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (ALLOWED_KEYS.has(key) && typeof value === 'string') context[key] = value;
  }
  return context;
}

export interface GitCheckout {
  /** Undefined for a repository without commits yet. */
  commit?: string;
  /** Undefined on a detached HEAD. */
  branch?: string;
  /** The first remote's URL, without credentials. */
  repoUrl?: string;
}

/** Directories searched upwards for `.git`, enough for any real path. */
const MAX_DEPTH = 64;

/**
 * Reads the checkout holding `dir` (searching parent directories, as Python's GitPython does)
 * from the files under `.git`: a worktree's or submodule's `.git` file is followed, packed refs
 * are read. Undefined outside a checkout.
 */
export function readGitCheckout(dir: string): GitCheckout | undefined {
  const gitDir = findGitDir(path.resolve(dir));
  if (gitDir === undefined) return undefined;
  const head = readText(path.join(gitDir, 'HEAD'))?.trim();
  if (head === undefined) return undefined;
  const common = commonDir(gitDir);
  const checkout: GitCheckout = {};
  const ref = /^ref:\s*(\S+)$/.exec(head)?.[1];
  if (ref === undefined) {
    if (/^[0-9a-f]{40,64}$/i.test(head)) checkout.commit = head.toLowerCase();
  } else {
    if (ref.startsWith('refs/heads/')) checkout.branch = ref.slice('refs/heads/'.length);
    checkout.commit = resolveRef(ref, gitDir, common);
  }
  checkout.repoUrl = firstRemoteUrl(readText(path.join(common, 'config')));
  return checkout;
}

function findGitDir(start: string): string | undefined {
  let dir = start;
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const dotGit = path.join(dir, '.git');
    if (readText(path.join(dotGit, 'HEAD')) !== undefined) return dotGit;
    // A worktree or submodule: `.git` is a file saying `gitdir: <path>`.
    const pointer = /^gitdir:\s*(.+)$/m.exec(readText(dotGit) ?? '')?.[1]?.trim();
    if (pointer !== undefined) return path.resolve(dir, pointer);
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

/** A linked worktree keeps branches and config in the main repository (`commondir`). */
function commonDir(gitDir: string): string {
  const pointer = readText(path.join(gitDir, 'commondir'))?.trim();
  return pointer ? path.resolve(gitDir, pointer) : gitDir;
}

function resolveRef(ref: string, gitDir: string, common: string): string | undefined {
  if (ref.includes('..')) return undefined;
  for (const dir of [gitDir, common]) {
    const sha = readText(path.join(dir, ref))?.trim();
    if (sha !== undefined && /^[0-9a-f]{40,64}$/i.test(sha)) return sha.toLowerCase();
  }
  for (const line of (readText(path.join(common, 'packed-refs')) ?? '').split('\n')) {
    const match = /^([0-9a-f]{40,64}) (\S+)$/i.exec(line.trim());
    if (match !== null && match[2] === ref) return match[1].toLowerCase();
  }
  return undefined;
}

/** The `url` of the first `[remote "…"]` section, as GitPython's `repo.remotes[0]`. */
function firstRemoteUrl(config: string | undefined): string | undefined {
  if (config === undefined) return undefined;
  let inRemote = false;
  for (const raw of config.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('[')) inRemote = /^\[remote\s+"[^"]*"\]$/.test(line);
    else if (inRemote) {
      const url = /^url\s*=\s*(.+)$/.exec(line)?.[1]?.trim();
      if (url) return stripCredentials(url);
    }
  }
  return undefined;
}

/** `https://user:token@host/x` becomes `https://host/x`; `git@host:org/repo` stays (Python's rule). */
export function stripCredentials(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/i.exec(url);
  if (match === null || !match[2].includes('@')) return url;
  return match[1] + match[2].slice(match[2].lastIndexOf('@') + 1) + match[3];
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
