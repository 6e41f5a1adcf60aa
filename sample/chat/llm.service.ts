import { Injectable } from '@nestjs/common';
import { ChatMessage, SpanType, Trace, TracingService } from '../../lib';

/** A stand-in for a real LLM client: deterministic, offline, but traced like the real thing. */
@Injectable()
export class LlmService {
  constructor(private readonly tracing: TracingService) {}

  @Trace({
    spanType: SpanType.CHAT_MODEL,
    name: 'llm.chat',
    attributes: { 'mlflow.llm.model': 'echo-1' },
  })
  async chat(messages: ChatMessage[]): Promise<{ choices: { message: ChatMessage }[] }> {
    const question = String(messages[messages.length - 1].content);
    const content = `Here is what I found about "${question}".`;
    this.tracing
      .getCurrentSpan()
      .setTokenUsage({ input_tokens: question.length, output_tokens: content.length });
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { choices: [{ message: { role: 'assistant', content } }] };
  }

  /** Streams the answer word by word; each chunk becomes an MLflow chunk event. */
  @Trace({ spanType: SpanType.CHAT_MODEL, name: 'llm.stream' })
  async *stream(question: string): AsyncGenerator<string> {
    for (const word of `You asked about ${question}`.split(' ')) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      yield `${word} `;
    }
  }
}
