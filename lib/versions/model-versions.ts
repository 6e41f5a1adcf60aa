import { Logger } from '@nestjs/common';
import { classifyFailure } from '../export/delivery-failure';
import type { ExperimentResolver } from '../mlflow/experiment-resolver';
import type { MlflowHttpClient } from '../mlflow/mlflow-http-client';
import type { ResolvedVersion } from '../options/version-defaults';
import { readGitState, type GitState } from './git-state';
import {
  filterComparison,
  LoggedModels,
  LoggedModelTag,
  type LoggedModelRef,
} from './logged-models';

/** Characters MLflow refuses in a LoggedModel name. */
const BAD_NAME = /[/:.%"']/;
/** Distinct version names set per trace that are looked up; past this, new names are not. */
export const MAX_VERSION_NAMES = 100;
/** A version MLflow refused to find or create is tried again after this long. */
export const REFUSED_RETRY_MS = 5 * 60_000;

/** What a version lookup came to. */
type Outcome = { readonly id: string } | { readonly refused: string; readonly at: number };

/** The versions as the tracer sees them: what `Tracer` puts on a trace as it ends. */
export interface TraceVersions {
  /** The app's version id when already known (no I/O). */
  knownId(name?: string): string | undefined;
  /** Starts looking up a version set on one trace, so it is likely known by export time. */
  prepare(name: string): void;
}

/**
 * Finds or creates the app's version (an MLflow LoggedModel) the way MLflow's Python SDK does,
 * off the request path: at startup in the background, and again from the export stage until it
 * succeeds. Traces started before the id is known get it at export.
 *
 * A lookup that gets no answer, or a 408/429/5xx, rejects: the export stage retries the traces
 * that need it with its usual backoff. A lookup MLflow refuses (a 4xx: no LoggedModel API on an
 * MLflow 2 server, no permission) sends the traces without `mlflow.modelId`, counted in
 * `unlinked`, with one warning, and is tried again five minutes later.
 */
export class ModelVersions implements TraceVersions {
  private readonly logger = new Logger('MlflowTracing');
  private readonly models: LoggedModels;
  private readonly outcomes = new Map<string, Outcome>();
  private readonly pending = new Map<string, Promise<Outcome>>();
  private gitState: Promise<GitState | undefined> | undefined;
  private tooManyNamesWarned = false;
  /** Set by `start()`: traces go to MLflow, so names set on traces are looked up ahead. */
  private lookingUp = false;
  /** Traces sent without the version they were meant to carry. */
  unlinked = 0;

  constructor(
    client: MlflowHttpClient,
    private readonly experiments: ExperimentResolver,
    readonly version: ResolvedVersion,
    private readonly readGit: () => Promise<GitState | undefined> = () => readGitState(),
    /** How long a new version waits for concurrent creates of the same one to land. */
    private readonly settleMs = 1000,
  ) {
    this.models = new LoggedModels(client);
  }

  /** True when the app names a version: traces without one of their own get it. */
  get configured(): boolean {
    return this.version !== undefined;
  }

  knownId(name?: string): string | undefined {
    if (name === undefined && this.version?.kind === 'id') return this.version.id;
    const outcome = this.outcomes.get(keyOf(name));
    return outcome !== undefined && 'id' in outcome ? outcome.id : undefined;
  }

  prepare(name: string): void {
    if (this.lookingUp) this.outcomeOf(name).catch(() => undefined);
  }

  /**
   * Looks up the app's version in the background (at startup, when traces go to MLflow), and
   * from then on the versions set on traces as soon as they are; never rejects.
   */
  start(): void {
    this.lookingUp = true;
    if (this.version === undefined || this.version.kind === 'id') return;
    if (this.version.kind === 'git') this.gitState ??= this.readGit().catch(() => undefined);
    this.outcomeOf(undefined).catch((error: unknown) => {
      this.logger.debug(`Looking up the app's version failed for now: ${describe(error)}`);
    });
  }

  /**
   * The id of a trace's version: the name set on the trace, else the app's. `undefined` when
   * there is none or MLflow refused it (counted in `unlinked`); rejects while MLflow does not
   * answer, so the trace is retried.
   */
  async idFor(name: string | undefined, signal?: AbortSignal): Promise<string | undefined> {
    if (name === undefined) {
      if (this.version === undefined) return undefined;
      if (this.version.kind === 'id') return this.version.id;
    }
    const outcome = await this.outcomeOf(name, signal);
    if ('id' in outcome) return outcome.id;
    this.unlinked++;
    return undefined;
  }

  /** The cached outcome while it holds, else a lookup shared by every caller. */
  private async outcomeOf(name: string | undefined, signal?: AbortSignal): Promise<Outcome> {
    const key = keyOf(name);
    const known = this.outcomes.get(key);
    if (known !== undefined && ('id' in known || Date.now() - known.at < REFUSED_RETRY_MS)) {
      return known;
    }
    let lookup = this.pending.get(key);
    if (lookup === undefined) {
      if (known === undefined && this.outcomes.size + this.pending.size >= MAX_VERSION_NAMES) {
        if (!this.tooManyNamesWarned) {
          this.tooManyNamesWarned = true;
          this.logger.warn(
            `More than ${MAX_VERSION_NAMES} version names were set on traces; traces naming a new one (such as "${name}") are sent without a version`,
          );
        }
        return { refused: 'too many version names', at: Date.now() };
      }
      lookup = this.lookup(name).finally(() => this.pending.delete(key));
      this.pending.set(key, lookup);
    }
    return signal === undefined ? lookup : abortable(lookup, signal);
  }

  /** Resolves with the id or MLflow's refusal; rejects (nothing cached) when MLflow did not answer. */
  private async lookup(name: string | undefined): Promise<Outcome> {
    const key = keyOf(name);
    let outcome: Outcome;
    try {
      const model = await this.findOrCreate(name);
      outcome =
        model === undefined ? { refused: 'no version to look up', at: Infinity } : { id: model.id };
      if (model !== undefined) {
        this.logger.log(
          `Traces of ${name === undefined ? 'this app' : `version "${name}"`} are linked to MLflow version ${model.name ? `"${model.name}" ` : ''}(${model.id})`,
        );
      }
    } catch (error) {
      const failure = classifyFailure(error);
      if (failure.kind !== 'rejected') throw error;
      outcome = { refused: failure.cause, at: Date.now() };
      this.logger.warn(
        `MLflow refused to find or create ${name === undefined ? "the app's version" : `version "${name}"`} (${failure.cause}): traces are sent without mlflow.modelId and counted as unlinked; tried again in ${REFUSED_RETRY_MS / 60_000} minutes`,
      );
    }
    this.outcomes.set(key, outcome);
    return outcome;
  }

  private async findOrCreate(name: string | undefined): Promise<LoggedModelRef | undefined> {
    if (name !== undefined) return this.byName(name);
    const version = this.version!;
    if (version.kind === 'name') return this.byName(version.name);
    if (version.kind === 'id') return { id: version.id, name: '' };
    const state = await (this.gitState ??= this.readGit().catch(() => undefined));
    if (state !== undefined) return this.byGitState(state, version.name);
    if (version.name !== undefined) {
      this.logger.warn(
        `version.git: no git checkout and no CI/CD commit variable (such as GITHUB_SHA or GIT_COMMIT) found; using version "${version.name}"`,
      );
      return this.byName(version.name);
    }
    this.logger.warn(
      'version.git: no git checkout and no CI/CD commit variable (such as GITHUB_SHA or GIT_COMMIT) found; traces are not linked to a version',
    );
    return undefined;
  }

  /** `mlflow.set_active_model(name=...)`: the newest model of that name, else a new external one. */
  private async byName(name: string): Promise<LoggedModelRef> {
    if (BAD_NAME.test(name) || name.trim() === '') {
      throw new Error(
        `version name ${JSON.stringify(name)} has a character MLflow refuses (/ : . % " ')`,
      );
    }
    const experimentId = await this.experiments.resolve();
    const filter = `name='${name}'`;
    const [found] = await this.models.search(experimentId, filter, 2);
    if (found !== undefined) return found;
    const created = await this.models.create(experimentId, name, {
      [LoggedModelTag.IS_EXTERNAL]: 'true',
    });
    const first = await this.firstOf(experimentId, filter, created);
    if (first !== created) return first;
    try {
      await this.models.finalize(created.id);
    } catch (error) {
      this.logger.debug(`Marking version ${created.id} READY failed: ${describe(error)}`);
    }
    return created;
  }

  /**
   * Replicas starting together may each create the version. Each waits for the others' creates
   * to land (a row's creation time is taken before it is committed), then keeps the oldest one
   * and deletes its own copy, so they all agree (and so does a Python job afterwards, which
   * takes the newest of the name: the only one left). No trace is linked before this settles.
   */
  private async firstOf(
    experimentId: string,
    filter: string,
    created: LoggedModelRef,
  ): Promise<LoggedModelRef> {
    let first: LoggedModelRef | undefined;
    try {
      await new Promise((resolve) => setTimeout(resolve, this.settleMs));
      [first] = await this.models.search(experimentId, filter, 1, true);
    } catch {
      return created;
    }
    if (first === undefined || first.id === created.id) return created;
    await this.models.delete(created.id).catch(() => undefined);
    return first;
  }

  /** `mlflow.genai.enable_git_model_versioning()`: the model with these git tags, else a new one. */
  private async byGitState(state: GitState, name: string | undefined): Promise<LoggedModelRef> {
    const experimentId = await this.experiments.resolve();
    const searched = gitSearchTags(state);
    const filter = Object.entries(searched)
      .map(([key, value]) => filterComparison(`tags.\`${key}\``, value))
      .join(' AND ');
    const tags = { ...searched };
    if (state.diff !== undefined) tags[LoggedModelTag.GIT_DIFF] = state.diff;
    const [found] = await this.models.search(experimentId, filter, 1);
    if (found !== undefined) {
      // As MLflow does: keep the tags current (the diff of a dirty tree changes).
      await this.models.setTags(found.id, tags);
      return found;
    }
    const created = await this.models.create(experimentId, name, tags);
    return this.firstOf(experimentId, filter, created);
  }
}

/** The git tags a version is found by, in MLflow's order: branch, commit, dirty, repository. */
export function gitSearchTags(state: GitState): Record<string, string> {
  const tags: Record<string, string> = {};
  if (state.branch !== undefined) tags[LoggedModelTag.GIT_BRANCH] = state.branch;
  tags[LoggedModelTag.GIT_COMMIT] = state.commit;
  tags[LoggedModelTag.GIT_DIRTY] = String(state.dirty);
  if (state.repoUrl !== undefined) tags[LoggedModelTag.GIT_REPO_URL] = state.repoUrl;
  return tags;
}

/** The app's own version and names set per trace share one cache; `\0` is in no name. */
function keyOf(name: string | undefined): string {
  return name === undefined ? '\0app' : name;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error as Error);
      },
    );
  });
}
