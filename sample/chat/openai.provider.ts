import type { Provider } from '@nestjs/common';
import type OpenAI from 'openai';
import { traceOpenAI } from '../../lib';
import { startStandInLlm } from './stand-in-llm.server';

export const OPENAI_CLIENT = Symbol('OPENAI_CLIENT');

// openai 7 needs Node 22+. On Node 20 the sample uses openai 6 (installed as `openai-v6`),
// whose client has the same chat API; the tracing is the same for both.
function openAIClass(): typeof OpenAI {
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  /* eslint-disable @typescript-eslint/no-require-imports -- one of two installed majors */
  const sdk = (nodeMajor >= 22 ? require('openai') : require('openai-v6')) as {
    default: typeof OpenAI;
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return sdk.default;
}

/**
 * The OpenAI client, traced in one line. With OPENAI_BASE_URL or OPENAI_API_KEY set it talks to
 * that endpoint (the SDK reads both); otherwise to a local stand-in, so the sample runs offline.
 */
export const openAIProvider: Provider = {
  provide: OPENAI_CLIENT,
  useFactory: async () => {
    const OpenAIClient = openAIClass();
    if (process.env.OPENAI_BASE_URL || process.env.OPENAI_API_KEY)
      return traceOpenAI(new OpenAIClient());
    const { baseURL } = await startStandInLlm();
    return traceOpenAI(new OpenAIClient({ baseURL, apiKey: 'stand-in' }));
  },
};
