/** Thrown at bootstrap for an option that cannot work; the message names it and what is accepted. */
export class MlflowTracingConfigError extends Error {
  constructor(option: string, problem: string, accepted: string) {
    super(`nestjs-mlflow-tracing: option "${option}" ${problem}. Accepted: ${accepted}.`);
    this.name = 'MlflowTracingConfigError';
  }
}

/** `imports: [MlflowTracingModule]`, the bare class: there are no options to start from. */
export class MlflowTracingNotConfiguredError extends MlflowTracingConfigError {
  constructor() {
    super('', '', '');
    this.message =
      'nestjs-mlflow-tracing: MlflowTracingModule was imported without options: call MlflowTracingModule.forRoot() or forRootAsync() instead, once, in the root module (it is global, so feature modules need not import it).';
    this.name = 'MlflowTracingNotConfiguredError';
  }
}
