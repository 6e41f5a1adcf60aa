export { traceAnthropic } from './trace-anthropic';
