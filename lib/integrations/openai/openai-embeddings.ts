import { SpanType } from '../../tracing/span-type';
import { createMethod, recordWithUsage, tokenUsage } from '../shared';
import { describeOpenAIRequest, withResponseModel } from './openai-request';

/** `embeddings.create`: an EMBEDDING span; input tokens only (embeddings produce none). */
export const openAIEmbeddings = (provider: string) =>
  createMethod({
    name: 'Embeddings',
    spanType: SpanType.EMBEDDING,
    describe: describeOpenAIRequest(provider),
    recordResult: withResponseModel(recordWithUsage((usage) => tokenUsage(usage.prompt_tokens, 0))),
  });
