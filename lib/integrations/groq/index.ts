export { traceGroq } from './trace-groq';
