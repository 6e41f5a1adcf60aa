import { Module } from '@nestjs/common';
import { Ollama } from 'ollama';
import { traceOllama } from '../../../lib';

@Module({
  providers: [
    {
      provide: Ollama,
      useFactory: () => traceOllama(new Ollama({ host: 'http://127.0.0.1:11434' })),
    },
  ],
  exports: [Ollama],
})
export class OllamaModule {}
