export { traceOllama } from './trace-ollama';
