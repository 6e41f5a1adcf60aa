export { traceOpenAI } from './trace-openai';
export type { TraceOpenAIOptions } from './trace-openai';
export { ChatChunkAccumulator } from './openai-chat';
