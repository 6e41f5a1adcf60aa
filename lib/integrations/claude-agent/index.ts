export { traceClaudeAgent } from './trace-claude-agent';
