import { Injectable } from '@nestjs/common';
import { Agent } from '@mastra/core/agent';
import { Mastra } from '@mastra/core/mastra';
import { createTool } from '@mastra/core/tools';
import { Observability } from '@mastra/observability';
import { OtelBridge } from '@mastra/otel-bridge';
import { z } from 'zod';
import { MlflowOtelTracerProvider, SpanType, Trace } from '../../../lib';

const getWeather = createTool({
  id: 'get_weather',
  description: 'Current weather in a city',
  inputSchema: z.object({ city: z.string() }),
  execute: async ({ city }) => ({ city, sky: 'sunny', celsius: 21 }),
});

@Injectable()
export class WeatherAgent {
  private readonly mastra: Mastra;

  constructor(otel: MlflowOtelTracerProvider) {
    this.mastra = new Mastra({
      agents: {
        weather: new Agent({
          id: 'weather-agent',
          name: 'Weather agent',
          instructions: 'Answer in one sentence.',
          model: 'openai/gpt-4o-mini',
          tools: { get_weather: getWeather },
        }),
      },
      observability: new Observability({
        configs: {
          default: { serviceName: 'weather', bridge: new OtelBridge({ tracerProvider: otel }) },
        },
      }),
      logger: false,
    });
  }

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string> {
    const result = await this.mastra.getAgent('weather').generate(question);
    return result.text;
  }
}
