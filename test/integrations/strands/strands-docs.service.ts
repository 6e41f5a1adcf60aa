import { Injectable } from '@nestjs/common';
import { Agent, BedrockModel, tool } from '@strands-agents/sdk';
import { z } from 'zod';
import { SpanType, Trace } from '../../../lib';

const getWeather = tool({
  name: 'get_weather',
  description: 'Current weather in a city',
  inputSchema: z.object({ city: z.string() }),
  callback: ({ city }) => ({ city, sky: 'sunny', celsius: 21 }),
});

@Injectable()
export class WeatherAgent {
  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string> {
    const agent = new Agent({
      model: new BedrockModel({ modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0' }),
      systemPrompt: 'Answer in one sentence.',
      tools: [getWeather],
      printer: false,
    });
    const result = await agent.invoke(question);
    return result.toString();
  }
}
