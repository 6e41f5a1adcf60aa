import { Body, Controller, Headers, Post } from '@nestjs/common';
import { ChatService } from './chat.service';

@Controller('chat')
export class ChatController {
  constructor(private readonly chat: ChatService) {}

  @Post()
  ask(
    @Body() body: { question: string },
    @Headers('x-user-id') user = 'anonymous',
    @Headers('x-session-id') session = 'no-session',
  ) {
    return this.chat.answer(body.question, user, session);
  }
}
