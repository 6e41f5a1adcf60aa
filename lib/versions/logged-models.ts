import type { MlflowHttpClient } from '../mlflow/mlflow-http-client';

const LOGGED_MODELS = '/api/2.0/mlflow/logged-models';

/** LoggedModel tag keys MLflow reads (mlflow/utils/mlflow_tags.py). */
export const LoggedModelTag = {
  GIT_COMMIT: 'mlflow.source.git.commit',
  GIT_BRANCH: 'mlflow.source.git.branch',
  GIT_DIRTY: 'mlflow.source.git.dirty',
  GIT_REPO_URL: 'mlflow.source.git.repoURL',
  GIT_DIFF: 'mlflow.source.git.diff',
  IS_EXTERNAL: 'mlflow.model.isExternal',
} as const;

/** What the app needs of a LoggedModel. */
export interface LoggedModelRef {
  readonly id: string;
  readonly name: string;
}

interface LoggedModelJson {
  info?: { model_id?: string; name?: string };
}

/** The LoggedModel REST calls versions need, with the bodies MLflow's Python client sends. */
export class LoggedModels {
  constructor(private readonly client: MlflowHttpClient) {}

  /**
   * Models of the experiment matching the filter: the newest first (MLflow's default order), or
   * with `oldestFirst` the oldest (ties broken by id, so every process agrees on the first).
   */
  async search(
    experimentId: string,
    filter: string,
    maxResults: number,
    oldestFirst = false,
  ): Promise<LoggedModelRef[]> {
    const body: Record<string, unknown> = {
      experiment_ids: [experimentId],
      filter,
      max_results: maxResults,
    };
    if (oldestFirst) {
      body.order_by = [
        { field_name: 'creation_timestamp', ascending: true },
        { field_name: 'model_id', ascending: true },
      ];
    }
    const found = await this.client.json<{ models?: LoggedModelJson[] }>(
      'POST',
      `${LOGGED_MODELS}/search`,
      body,
    );
    return (found.models ?? []).map(toRef).filter((ref) => ref !== undefined);
  }

  async create(
    experimentId: string,
    name: string | undefined,
    tags: Record<string, string>,
  ): Promise<LoggedModelRef> {
    const body: Record<string, unknown> = { experiment_id: experimentId, tags: tagList(tags) };
    if (name !== undefined) body.name = name;
    const created = await this.client.json<{ model?: LoggedModelJson }>(
      'POST',
      LOGGED_MODELS,
      body,
    );
    const ref = created.model === undefined ? undefined : toRef(created.model);
    if (ref === undefined) throw new Error('MLflow created a LoggedModel but returned no model_id');
    return ref;
  }

  /** Marks the model READY, as `mlflow.create_external_model` does. */
  async finalize(modelId: string): Promise<void> {
    await this.client.json('PATCH', `${LOGGED_MODELS}/${encodeURIComponent(modelId)}`, {
      model_id: modelId,
      status: 'LOGGED_MODEL_READY',
    });
  }

  /** Deletes the model (MLflow keeps it, marked deleted, out of searches). */
  async delete(modelId: string): Promise<void> {
    await this.client.json('DELETE', `${LOGGED_MODELS}/${encodeURIComponent(modelId)}`, {
      model_id: modelId,
    });
  }

  async setTags(modelId: string, tags: Record<string, string>): Promise<void> {
    await this.client.json('PATCH', `${LOGGED_MODELS}/${encodeURIComponent(modelId)}/tags`, {
      tags: tagList(tags),
    });
  }
}

/**
 * One comparison of a LoggedModel search filter. MLflow's filter parser strips quotes without
 * reading escapes, so a value with a quote or backslash goes in an `IN (...)` list, which it reads
 * as a Python literal.
 */
export function filterComparison(field: string, value: string): string {
  if (!/['\\]/.test(value)) return `${field} = '${value}'`;
  return `${field} IN ('${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}')`;
}

function tagList(tags: Record<string, string>): { key: string; value: string }[] {
  return Object.entries(tags).map(([key, value]) => ({ key, value }));
}

function toRef(model: LoggedModelJson): LoggedModelRef | undefined {
  const id = model.info?.model_id;
  return typeof id === 'string' && id !== '' ? { id, name: model.info?.name ?? '' } : undefined;
}
