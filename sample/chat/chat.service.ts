import { Injectable } from '@nestjs/common';
import { SpanType, Trace } from '../../lib';
import { LlmService } from './llm.service';
import { RetrieverService } from './retriever.service';

@Injectable()
export class ChatService {
  constructor(
    private readonly retriever: RetrieverService,
    private readonly llm: LlmService,
  ) {}

  @Trace(SpanType.AGENT)
  async answer(question: string, conversationId: string): Promise<{ answer: string }> {
    const docs = await this.retriever.search(question);
    const completion = await this.llm.chat([
      {
        role: 'system',
        content: `Conversation ${conversationId}. Notes:\n${docs.map((d) => d.text).join('\n')}`,
      },
      { role: 'user', content: question },
    ]);
    return { answer: String(completion.choices[0].message.content) };
  }
}
