// The Claude Agent SDK guide's example, verbatim (docs/llm-sdks/claude-agent.md), except that
// Jest cannot import the ESM-only SDK: it is loaded with Node's own loader instead.
import { Injectable } from '@nestjs/common';
import { SpanType, Trace, traceClaudeAgent } from '../../../lib';
import { CLAUDE_AGENT_SDKS } from '../fixtures/claude-agent-sdks';

const { query: sdkQuery } = CLAUDE_AGENT_SDKS[0].load();

const query = traceClaudeAgent(sdkQuery);

@Injectable()
export class NotesAgent {
  @Trace(SpanType.AGENT)
  async ask(prompt: string, cwd: string): Promise<string | undefined> {
    const options = { cwd, model: 'claude-sonnet-4-5', allowedTools: ['Read'] };
    for await (const message of query({ prompt, options })) {
      if (message.type === 'result' && message.subtype === 'success') return message.result;
    }
    return undefined;
  }
}
