/** Thrown at bootstrap for an option that cannot work; the message names it and what is accepted. */
export class MlflowTracingConfigError extends Error {
  constructor(option: string, problem: string, accepted: string) {
    super(`nestjs-mlflow-tracing: option "${option}" ${problem}. Accepted: ${accepted}.`);
    this.name = 'MlflowTracingConfigError';
  }
}
