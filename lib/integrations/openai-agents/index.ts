export { createMlflowAgentsProcessor } from './mlflow-agents-processor';
export type { MlflowAgentsProcessor } from './mlflow-agents-processor';
