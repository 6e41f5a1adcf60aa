import { Module } from '@nestjs/common';
import { ChatController } from './chat.controller';
import { ChatService } from './chat.service';
import { FeedbackController } from './feedback.controller';
import { LlmService } from './llm.service';
import { openAIProvider } from './openai.provider';
import { RetrieverService } from './retriever.service';

@Module({
  // FeedbackController first: Express matches `POST /chat/feedback` before `POST /chat/:conversationId`.
  controllers: [FeedbackController, ChatController],
  providers: [ChatService, RetrieverService, LlmService, openAIProvider],
})
export class ChatModule {}
