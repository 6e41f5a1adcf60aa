export { createMlflowCallbackHandler } from './mlflow-callback-handler';
export type { MlflowCallbackHandler } from './mlflow-callback-handler';
