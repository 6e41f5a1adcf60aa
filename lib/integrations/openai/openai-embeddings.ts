import { SpanType } from '../../tracing/span-type';
import type { SpanRecord } from '../../tracing/span-record';
import { pathOf, requestBody, tokenUsage, type TracedMethod } from '../shared';
import { describeOpenAIRequest } from './openai-request';

/** `embeddings.create`: an EMBEDDING span; input tokens only (embeddings produce none). */
export const openAIEmbeddings: TracedMethod = {
  start: (args) => ({
    name: 'Embeddings',
    spanType: SpanType.EMBEDDING,
    describe: (span) => describeOpenAIRequest(span, requestBody(args)),
  }),
  recorder: () => ({ recordResult: recordEmbeddings }),
};

function recordEmbeddings(span: SpanRecord, response: unknown): void {
  span.setOutputs(response);
  const usage = tokenUsage(pathOf(response, 'usage', 'prompt_tokens'), 0);
  if (usage) span.setTokenUsage(usage);
}
