// The LlamaIndex.TS guide's example, verbatim (docs/llm-sdks/llamaindex.md).
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { OpenAI } from '@llamaindex/openai';
import { agent, type AgentWorkflow } from '@llamaindex/workflow';
import { Settings, tool } from 'llamaindex';
import { z } from 'zod';
import { SpanType, Trace, traceLlamaIndex } from '../../../lib';

const getWeather = tool({
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: ({ city }) => `sunny in ${city}`,
});

@Injectable()
export class WeatherAgent implements OnModuleInit {
  private assistant!: AgentWorkflow;

  onModuleInit() {
    traceLlamaIndex(Settings);
    const llm = new OpenAI({ model: 'gpt-4o-mini' });
    Settings.llm = llm;
    this.assistant = traceLlamaIndex(agent({ llm, tools: [getWeather] }));
  }

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string> {
    const result = await this.assistant.run(question);
    return String(result.data.result);
  }
}
