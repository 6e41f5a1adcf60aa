export { traceOpenAI } from './trace-openai';
