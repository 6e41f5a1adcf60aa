import { Module } from '@nestjs/common';
import Groq from 'groq-sdk';
import { traceGroq } from '../../../lib';

@Module({
  providers: [{ provide: Groq, useFactory: () => traceGroq(new Groq()) }],
  exports: [Groq],
})
export class GroqModule {}
