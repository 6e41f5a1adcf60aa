import { SpanType } from '../../tracing/span-type';
import type { SpanRecord } from '../../tracing/span-record';
import {
  pathOf,
  requestBody,
  tokenUsage,
  type StreamAccumulator,
  type TracedMethod,
} from '../shared';
import { describeOpenAIRequest, isStreamRequest } from './openai-request';

type Json = Record<string, unknown>;

/** Stream events that carry the whole response object at the end of a Responses stream. */
const FINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed']);

/** `responses.create`: a CHAT_MODEL span whose outputs are the Response object. */
export const openAIResponses: TracedMethod = {
  start: (args) => ({
    name: 'Responses',
    spanType: SpanType.CHAT_MODEL,
    describe: (span) => describeOpenAIRequest(span, requestBody(args)),
  }),
  recorder: (args) => ({
    recordResult: recordResponse,
    stream: isStreamRequest(requestBody(args)) ? () => new ResponseEventAccumulator() : undefined,
  }),
};

function recordResponse(span: SpanRecord, response: unknown): void {
  span.setOutputs(response);
  const usage = pathOf(response, 'usage') as Json | undefined;
  if (usage == null) return;
  const recorded = tokenUsage(usage.input_tokens, usage.output_tokens, usage.total_tokens, {
    cacheRead: pathOf(usage, 'input_tokens_details', 'cached_tokens'),
  });
  if (recorded) span.setTokenUsage(recorded);
}

/** Keeps the final event's response; without one (a cut stream), the text streamed so far. */
class ResponseEventAccumulator implements StreamAccumulator {
  private response: unknown;
  private text = '';

  add(event: unknown): void {
    const value = event as Json;
    if (typeof value.type !== 'string') return;
    if (FINAL_EVENTS.has(value.type)) this.response = value.response;
    else if (value.type === 'response.output_text.delta' && typeof value.delta === 'string')
      this.text += value.delta;
  }

  finish(span: SpanRecord): void {
    if (this.response !== undefined) recordResponse(span, this.response);
    else span.setOutputs({ output_text: this.text });
  }
}
