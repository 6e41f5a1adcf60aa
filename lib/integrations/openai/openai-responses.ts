import type { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import {
  appendBounded,
  createMethod,
  pathOf,
  recordWithUsage,
  tokenUsage,
  type StreamAccumulator,
} from '../shared';
import { describeOpenAIRequest, withResponseModel } from './openai-request';

type Json = Record<string, unknown>;

/** Stream events that carry the whole response object at the end of a Responses stream. */
const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

const recordResponse = withResponseModel(
  recordWithUsage((usage) =>
    tokenUsage(usage.input_tokens, usage.output_tokens, usage.total_tokens, {
      cacheRead: pathOf(usage, 'input_tokens_details', 'cached_tokens'),
    }),
  ),
);

/** `responses.create`: a CHAT_MODEL span whose outputs are the Response object. */
export const openAIResponses = (provider: string) =>
  createMethod({
    name: 'Responses',
    spanType: SpanType.CHAT_MODEL,
    describe: describeOpenAIRequest(provider),
    recordResult: recordResponse,
    accumulator: () => new ResponseEventAccumulator(),
  });

/** Keeps the final event's response; without one (a cut stream), the text streamed so far. */
class ResponseEventAccumulator implements StreamAccumulator {
  private response: unknown;
  private text = '';

  add(event: unknown): void {
    const value = event as Json;
    if (typeof value.type !== 'string') return;
    if (FINAL_EVENTS.has(value.type)) this.response = value.response;
    else if (value.type === 'response.output_text.delta')
      this.text = appendBounded(this.text, value.delta);
  }

  finish(span: SpanRecord): void {
    if (this.response !== undefined) recordResponse(span, this.response);
    else span.setOutputs({ output_text: this.text });
  }
}
