import { Module } from '@nestjs/common';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { LlmService } from './llm.service';
import { openAIProvider } from './openai.provider';
import { RetrieverService } from './retriever.service';

@Module({
  controllers: [ChatController],
  providers: [ChatService, RetrieverService, LlmService, openAIProvider],
})
export class ChatModule {}
