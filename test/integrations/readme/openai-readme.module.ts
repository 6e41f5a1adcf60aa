// The guide's OpenAI example, verbatim (docs/llm-sdks.md).
import { Injectable, Module } from '@nestjs/common';
import OpenAI from 'openai';
import { SpanType, Trace, traceOpenAI } from '../../../lib';

@Module({
  providers: [{ provide: OpenAI, useFactory: () => traceOpenAI(new OpenAI()) }],
  exports: [OpenAI],
})
export class OpenAIModule {}

@Injectable()
export class ChatService {
  constructor(private readonly openai: OpenAI) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string | null> {
    const completion = await this.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: question }],
    });
    return completion.choices[0].message.content;
  }
}
