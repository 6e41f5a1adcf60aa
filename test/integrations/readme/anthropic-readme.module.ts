// The guide's Anthropic example, verbatim (docs/llm-sdks.md).
import { Module } from '@nestjs/common';
import Anthropic from '@anthropic-ai/sdk';
import { traceAnthropic } from '../../../lib';

@Module({
  providers: [{ provide: Anthropic, useFactory: () => traceAnthropic(new Anthropic()) }],
  exports: [Anthropic],
})
export class AnthropicModule {}
