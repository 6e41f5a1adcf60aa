import { Body, Controller, Get, Param, Post, Sse } from '@nestjs/common';
import { from, map, Observable } from 'rxjs';
import { ChatService } from './chat.service';
import { LlmService } from './llm.service';

/**
 * Each request is one MLflow trace named after the route pattern (`POST /chat/:conversationId`);
 * user and session come from the `x-user-id` / `x-session-id` headers.
 */
@Controller('chat')
export class ChatController {
  constructor(
    private readonly chat: ChatService,
    private readonly llm: LlmService,
  ) {}

  @Post(':conversationId')
  ask(@Param('conversationId') conversationId: string, @Body() body: { question: string }) {
    return this.chat.answer(body.question, conversationId);
  }

  /** Server-sent events: the request's span ends when the stream does. */
  @Sse(':conversationId/stream')
  stream(@Param('conversationId') _conversationId: string): Observable<{ data: string }> {
    return from(this.llm.stream('streaming')).pipe(map((data) => ({ data })));
  }

  @Get('health')
  health() {
    return { ok: true };
  }
}
