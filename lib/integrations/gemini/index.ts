export { traceGemini } from './trace-gemini';
