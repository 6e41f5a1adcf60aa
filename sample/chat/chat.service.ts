import { Injectable } from '@nestjs/common';
import { SpanType, Trace, TracingService } from '../../lib';
import { LlmService } from './llm.service';
import { RetrieverService } from './retriever.service';

@Injectable()
export class ChatService {
  constructor(
    private readonly retriever: RetrieverService,
    private readonly llm: LlmService,
    private readonly tracing: TracingService,
  ) {}

  @Trace(SpanType.AGENT)
  async answer(
    question: string,
    user: string,
    session: string,
  ): Promise<{ answer: string; traceId?: string }> {
    this.tracing.updateCurrentTrace({ user, session });
    const docs = await this.retriever.search(question);
    const completion = await this.llm.chat([
      {
        role: 'system',
        content: `Answer from these notes:\n${docs.map((d) => d.text).join('\n')}`,
      },
      { role: 'user', content: question },
    ]);
    return {
      answer: String(completion.choices[0].message.content),
      traceId: this.tracing.getActiveTraceId(),
    };
  }
}
