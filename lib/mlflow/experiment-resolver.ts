import { MlflowHttpClient } from './mlflow-http-client';
import { MlflowHttpError } from './mlflow-http.error';

export type ExperimentRef = { id: string } | { name: string };

/** MLflow's "Default" experiment, used when neither an id nor a name is configured. */
export const DEFAULT_EXPERIMENT_ID = '0';

/**
 * Finds the experiment id once (creating a named experiment that does not exist) and keeps
 * it; a failed lookup is retried on the next export instead of being cached.
 */
export class ExperimentResolver {
  private pending: Promise<string> | undefined;

  constructor(
    private readonly client: MlflowHttpClient,
    private readonly experiment: ExperimentRef | undefined,
  ) {}

  resolve(): Promise<string> {
    this.pending ??= this.lookup().catch((error: unknown) => {
      this.pending = undefined;
      throw error;
    });
    return this.pending;
  }

  private async lookup(): Promise<string> {
    if (this.experiment === undefined) return DEFAULT_EXPERIMENT_ID;
    if ('id' in this.experiment) return this.experiment.id;
    const name = this.experiment.name;
    return (await this.findByName(name)) ?? (await this.create(name));
  }

  private async findByName(name: string): Promise<string | undefined> {
    try {
      const found = await this.client.json<{ experiment: { experiment_id: string } }>(
        'GET',
        `/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`,
      );
      return found.experiment.experiment_id;
    } catch (error) {
      if (error instanceof MlflowHttpError && error.errorCode === 'RESOURCE_DOES_NOT_EXIST')
        return undefined;
      throw error;
    }
  }

  private async create(name: string): Promise<string> {
    try {
      const created = await this.client.json<{ experiment_id: string }>(
        'POST',
        '/api/2.0/mlflow/experiments/create',
        { name },
      );
      return created.experiment_id;
    } catch (error) {
      // Another process created it between our lookup and our create.
      if (error instanceof MlflowHttpError && error.errorCode === 'RESOURCE_ALREADY_EXISTS') {
        const id = await this.findByName(name);
        if (id !== undefined) return id;
      }
      throw error;
    }
  }
}
