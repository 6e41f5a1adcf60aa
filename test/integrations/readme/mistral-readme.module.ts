import { Module } from '@nestjs/common';
import { Mistral } from '@mistralai/mistralai';
import { traceMistral } from '../../../lib';

@Module({
  providers: [
    {
      provide: Mistral,
      useFactory: () => traceMistral(new Mistral({ apiKey: process.env.MISTRAL_API_KEY })),
    },
  ],
  exports: [Mistral],
})
export class MistralModule {}
