import type { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import {
  checkSdkClient,
  patchMethod,
  pathOf,
  requestBody,
  traceMethod,
  warnWhenNothingTraced,
  type TracedMethod,
} from '../shared';
import { describeGeminiCall, GeminiChunkAccumulator, recordGeminiResponse } from './gemini-content';

/** One traced Gemini method: MLflow's Python span name and type, streamed or not. */
function geminiMethod(
  name: string,
  spanType: string,
  stream: boolean,
  describe: (span: SpanRecord, params: Record<string, unknown>) => void,
): TracedMethod {
  return {
    start: (args) => ({
      name,
      spanType,
      describe: (span) => describe(span, requestBody(args)),
    }),
    recorder: () => ({
      recordResult: recordGeminiResponse,
      stream: stream ? () => new GeminiChunkAccumulator() : undefined,
    }),
  };
}

/** `models.*({ model, contents, config })`: the parameters as inputs. */
const describeModelsCall = (span: SpanRecord, params: Record<string, unknown>) =>
  describeGeminiCall(span, params, params.model, params.config);

const MODELS_METHODS: [method: string, span: string, type: string, stream: boolean][] = [
  ['generateContent', 'Models.generate_content', SpanType.LLM, false],
  // Each request generateContent makes (automatic function calling and continuation make
  // several), as Python's `Models._generate_content` child spans.
  ['generateContentInternal', 'Models._generate_content', SpanType.LLM, false],
  ['generateContentStream', 'Models.generate_content_stream', SpanType.LLM, true],
  ['embedContent', 'Models.embed_content', SpanType.EMBEDDING, false],
  ['countTokens', 'Models.count_tokens', SpanType.LLM, false],
];

/**
 * Traces a Google Gen AI client (`@google/genai`, the Gemini API and Vertex AI) in place and
 * returns it: `models.generateContent`, `models.generateContentStream`, `models.embedContent`,
 * `models.countTokens`, and the `sendMessage` / `sendMessageStream` of every chat that
 * `chats.create()` makes. Span names and types are those of MLflow's Python Gemini autolog
 * (`Models.generate_content` LLM, `Chat.send_message` CHAT_MODEL, `Models.embed_content`
 * EMBEDDING); the package is never imported by this library.
 *
 * No client at all (`undefined`, a string) throws a TypeError; an object without those methods
 * is returned untouched with a warning.
 *
 * ```ts
 * { provide: GoogleGenAI, useFactory: () => traceGemini(new GoogleGenAI({})) }
 * ```
 */
export function traceGemini<T extends object>(client: T): T {
  checkSdkClient('traceGemini', client, 'traceGemini(new GoogleGenAI({ apiKey }))');
  const models = pathOf(client, 'models');
  const traced = MODELS_METHODS.map(([method, span, type, stream]) =>
    traceMethod(client, models, method, geminiMethod(span, type, stream, describeModelsCall)),
  );
  traced.push(
    patchMethod(
      pathOf(client, 'chats'),
      'create',
      (original) =>
        function (this: unknown, ...args: unknown[]) {
          const chat = original.apply(this, args);
          traceChat(client, chat);
          return chat;
        },
    ),
  );
  warnWhenNothingTraced(
    'traceGemini',
    traced.includes(true),
    'models.generateContent, models.generateContentStream, models.embedContent, chats.create',
  );
  return client;
}

/** A chat's turns as Python's `Chat.send_message` CHAT_MODEL spans, over its model calls. */
function traceChat(client: object, chat: unknown): void {
  if (typeof chat !== 'object' || chat === null) return;
  const describe = (span: SpanRecord, params: Record<string, unknown>) =>
    describeGeminiCall(
      span,
      params,
      params.model ?? pathOf(chat, 'model'),
      params.config ?? pathOf(chat, 'config'),
    );
  traceMethod(
    client,
    chat,
    'sendMessage',
    geminiMethod('Chat.send_message', SpanType.CHAT_MODEL, false, describe),
  );
  traceMethod(
    client,
    chat,
    'sendMessageStream',
    geminiMethod('Chat.send_message_stream', SpanType.CHAT_MODEL, true, describe),
  );
}
