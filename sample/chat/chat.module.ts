import { Module } from '@nestjs/common';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { LlmService } from './llm.service';
import { RetrieverService } from './retriever.service';

@Module({
  controllers: [ChatController],
  providers: [ChatService, RetrieverService, LlmService],
})
export class ChatModule {}
