import { Injectable, Module } from '@nestjs/common';
import { GoogleGenAI } from '@google/genai';
import { SpanType, Trace, traceGemini } from '../../../lib';

@Module({
  providers: [{ provide: GoogleGenAI, useFactory: () => traceGemini(new GoogleGenAI({})) }],
  exports: [GoogleGenAI],
})
export class GeminiModule {}

@Injectable()
export class GeminiChatService {
  constructor(private readonly ai: GoogleGenAI) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string | undefined> {
    const response = await this.ai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: question,
    });
    return response.text;
  }
}
