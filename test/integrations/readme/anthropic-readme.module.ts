// The README's Anthropic example, verbatim (README section "LLM SDKs in one line").
import { Module } from '@nestjs/common';
import Anthropic from '@anthropic-ai/sdk';
import { traceAnthropic } from '../../../lib';

@Module({
  providers: [{ provide: Anthropic, useFactory: () => traceAnthropic(new Anthropic()) }],
  exports: [Anthropic],
})
export class AnthropicModule {}
