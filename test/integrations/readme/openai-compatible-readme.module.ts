import { Module } from '@nestjs/common';
import OpenAI from 'openai';
import { traceOpenAI } from '../../../lib';

export const DEEPSEEK = 'DEEPSEEK';
export const VLLM = 'VLLM';

@Module({
  providers: [
    {
      provide: DEEPSEEK,
      useFactory: () =>
        traceOpenAI(
          new OpenAI({ baseURL: 'https://api.deepseek.com', apiKey: process.env.DEEPSEEK_API_KEY }),
        ),
    },
    {
      provide: VLLM,
      useFactory: () =>
        traceOpenAI(new OpenAI({ baseURL: 'http://vllm:8000/v1', apiKey: 'none' }), {
          provider: 'vllm',
        }),
    },
  ],
  exports: [DEEPSEEK, VLLM],
})
export class OpenAICompatibleModule {}
