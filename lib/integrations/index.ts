export { traceAnthropic } from './anthropic';
export { createMlflowCallbackHandler } from './langchain';
export type { MlflowCallbackHandler } from './langchain';
export { traceOpenAI } from './openai';
