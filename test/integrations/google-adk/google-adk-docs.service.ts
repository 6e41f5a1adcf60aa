import { Injectable } from '@nestjs/common';
import { FunctionTool, InMemoryRunner, LlmAgent } from '@google/adk';
import { z } from 'zod';
import { SpanType, Trace } from '../../../lib';

const getWeather = new FunctionTool({
  name: 'get_weather',
  description: 'Current weather in a city',
  parameters: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, sky: 'sunny', celsius: 21 }),
});

@Injectable()
export class WeatherAgent {
  private readonly runner = new InMemoryRunner({
    appName: 'weather',
    agent: new LlmAgent({
      name: 'weather_agent',
      model: 'gemini-2.5-flash',
      instruction: 'Answer in one sentence.',
      tools: [getWeather],
    }),
  });

  @Trace(SpanType.AGENT)
  async answer(userId: string, question: string): Promise<string> {
    const session = await this.runner.sessionService.createSession({ appName: 'weather', userId });
    let text = '';
    const events = this.runner.runAsync({
      userId,
      sessionId: session.id,
      newMessage: { role: 'user', parts: [{ text: question }] },
    });
    for await (const event of events) {
      if (event.errorCode) throw new Error(`${event.errorCode}: ${event.errorMessage}`);
      for (const part of event.content?.parts ?? []) text += part.text ?? '';
    }
    return text;
  }
}
