// The Bedrock guide's example, verbatim (docs/llm-sdks/bedrock.md).
import { Injectable, Module } from '@nestjs/common';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { SpanType, Trace, traceBedrock } from '../../../lib';

@Module({
  providers: [
    { provide: BedrockRuntimeClient, useFactory: () => traceBedrock(new BedrockRuntimeClient()) },
  ],
  exports: [BedrockRuntimeClient],
})
export class BedrockModule {}

@Injectable()
export class ChatService {
  constructor(private readonly bedrock: BedrockRuntimeClient) {}

  @Trace(SpanType.AGENT)
  async answer(question: string): Promise<string | undefined> {
    const response = await this.bedrock.send(
      new ConverseCommand({
        modelId: 'anthropic.claude-3-5-haiku-20241022-v1:0',
        messages: [{ role: 'user', content: [{ text: question }] }],
        inferenceConfig: { maxTokens: 512 },
      }),
    );
    return response.output?.message?.content?.[0]?.text;
  }
}
