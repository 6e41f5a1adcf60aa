// The OpenAI Agents guide's example, verbatim (docs/llm-sdks/openai-agents.md).
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Agent, run, setTraceProcessors } from '@openai/agents';
import { createMlflowAgentsProcessor, SpanType, Trace } from '../../../lib';

@Injectable()
export class TravelAgent implements OnModuleInit {
  private readonly agent = new Agent({
    name: 'Assistant',
    model: 'gpt-4o-mini',
    instructions: 'Answer in one sentence.',
  });

  onModuleInit() {
    setTraceProcessors([createMlflowAgentsProcessor()]);
  }

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string | undefined> {
    const result = await run(this.agent, question);
    return result.finalOutput;
  }
}
