import { Inject, Injectable } from '@nestjs/common';
import type OpenAI from 'openai';
import type { ChatMessage } from '../../lib';
import { OPENAI_CLIENT } from './openai.provider';

const MODEL = process.env.OPENAI_MODEL ?? 'gpt-4o-mini';

/**
 * Calls the model through the OpenAI SDK. The client is traced where it is created
 * (`openai.provider.ts`), so each call is a CHAT_MODEL span with its messages, answer and
 * token usage, nested under whichever `@Trace` method or request made it.
 */
@Injectable()
export class LlmService {
  constructor(@Inject(OPENAI_CLIENT) private readonly openai: OpenAI) {}

  async chat(messages: ChatMessage[]): Promise<OpenAI.ChatCompletion> {
    return this.openai.chat.completions.create({
      model: MODEL,
      messages: messages as OpenAI.ChatCompletionMessageParam[],
    });
  }

  /** Streams the answer; each chunk becomes an MLflow chunk event on the model's span. */
  async *stream(question: string): AsyncGenerator<string> {
    const stream = await this.openai.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: question }],
      stream: true,
      stream_options: { include_usage: true },
    });
    for await (const chunk of stream) {
      const text = chunk.choices[0]?.delta.content;
      if (text) yield text;
    }
  }
}
