import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import type Anthropic from '@anthropic-ai/sdk';
import {
  BedrockRuntimeClient,
  ConverseStreamCommand,
  InvokeModelWithResponseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import type { GoogleGenAI } from '@google/genai';
import { Mistral } from '@mistralai/mistralai';
import Groq from 'groq-sdk';
import { Ollama } from 'ollama';
import type OpenAI from 'openai';
import {
  createMlflowCallbackHandler,
  InMemoryTraceExporter,
  SpanType,
  Trace,
  traceAnthropic,
  traceBedrock,
  traceGemini,
  traceGroq,
  traceMistral,
  traceOllama,
  traceOpenAI,
  type FinishedSpan,
  type FinishedTrace,
} from '../../lib';
import { aggregateTokenUsage } from '../../lib/mlflow/token-usage';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';
import { ANTHROPIC_SDKS } from './fixtures/anthropic-sdks';
import { fakeAnthropicServer } from './fixtures/fake-anthropic-server';
import { FakeBedrockServer, fakeBedrockClientConfig } from './fixtures/fake-bedrock-server';
import { fakeGeminiServer, GEMINI_MODEL } from './fixtures/fake-gemini-server';
import { fakeOllamaServer } from './fixtures/fake-ollama-server';
import { fakeGroqServer, fakeMistralServer } from './fixtures/fake-openai-compatible-server';
import { fakeOpenAIServer } from './fixtures/fake-openai-server';
import type { FakeProviderServer } from './fixtures/fake-provider-server';
import { GEMINI_SDKS, geminiTestOptions } from './fixtures/gemini-sdks';
import { OPENAI_SDKS } from './fixtures/openai-sdks';
import { newestRunnable, runsHere } from './fixtures/sdk-versions';

// A subpath export, which the module resolution of this repo's tsconfig does not read.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { configureTelemetry } = require('@mistralai/mistralai/extra/observability') as {
  configureTelemetry(client: Mistral, provider: 'global', options: object): Promise<boolean>;
};

type Usage = { input_tokens: number; output_tokens: number; total_tokens: number };

/** The traced clients of one app, each pointed at its fake provider. */
interface Sdks {
  openai: OpenAI;
  anthropic: Anthropic;
  gemini: GoogleGenAI;
  bedrock: BedrockRuntimeClient;
  mistral: Mistral;
  /** With the Mistral SDK's own OpenTelemetry spans on, through the global tracer provider. */
  mistralOtel: Mistral;
  groq: Groq;
  ollama: Ollama;
  /** For clients a call makes itself (LangChain's ChatOpenAI). */
  openaiBaseURL: string;
}

/** One streaming helper: the model spans it must leave (outermost first) and its usage. */
interface StreamingCall {
  readonly helper: string;
  readonly spans: readonly string[];
  readonly usage: Usage;
  readonly minNode?: number;
  readonly run: (sdks: Sdks) => Promise<unknown>;
}

const CHAT_USAGE: Usage = { input_tokens: 11, output_tokens: 7, total_tokens: 18 };
const RESPONSES_USAGE: Usage = { input_tokens: 13, output_tokens: 5, total_tokens: 18 };
const ANTHROPIC_USAGE: Usage = { input_tokens: 21, output_tokens: 9, total_tokens: 30 };
const GEMINI_USAGE: Usage = { input_tokens: 12, output_tokens: 6, total_tokens: 18 };
const BEDROCK_USAGE: Usage = { input_tokens: 15, output_tokens: 6, total_tokens: 21 };
const OLLAMA_USAGE: Usage = { input_tokens: 15, output_tokens: 8, total_tokens: 23 };
const BEDROCK_MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';

const user = (content: string) => [{ role: 'user' as const, content }];
const drain = async (stream: AsyncIterable<unknown>) => {
  for await (const item of stream) void item;
};
const claude = (content: string) => ({
  model: 'claude-test',
  max_tokens: 100,
  messages: user(content),
});

const langchainOpenAI = {
  minNode: 22,
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded where it runs
  load: () => require('@langchain/openai') as typeof import('@langchain/openai'),
};
const langchainHandler = createMlflowCallbackHandler();

const CALLS: StreamingCall[] = [
  {
    helper: 'openai chat.completions.create({ stream: true })',
    spans: ['Completions CHAT_MODEL'],
    usage: CHAT_USAGE,
    run: async ({ openai }) =>
      drain(
        await openai.chat.completions.create({
          model: 'gpt-test',
          messages: user('stream'),
          stream: true,
          stream_options: { include_usage: true },
        }),
      ),
  },
  {
    helper: 'openai chat.completions.stream().finalChatCompletion()',
    spans: ['Completions CHAT_MODEL'],
    usage: CHAT_USAGE,
    run: ({ openai }) =>
      openai.chat.completions
        .stream({
          model: 'gpt-test',
          messages: user('helper'),
          stream_options: { include_usage: true },
        })
        .finalChatCompletion(),
  },
  {
    helper: 'openai responses.create({ stream: true })',
    spans: ['Responses CHAT_MODEL'],
    usage: RESPONSES_USAGE,
    run: async ({ openai }) =>
      drain(await openai.responses.create({ model: 'gpt-test', input: 'stream', stream: true })),
  },
  {
    helper: 'openai responses.stream().finalResponse()',
    spans: ['Responses CHAT_MODEL'],
    usage: RESPONSES_USAGE,
    run: ({ openai }) =>
      openai.responses.stream({ model: 'gpt-test', input: 'helper' }).finalResponse(),
  },
  {
    helper: 'anthropic messages.create({ stream: true })',
    spans: ['Messages.create CHAT_MODEL'],
    usage: ANTHROPIC_USAGE,
    run: async ({ anthropic }) =>
      drain(await anthropic.messages.create({ ...claude('stream'), stream: true })),
  },
  {
    helper: 'anthropic messages.stream().finalMessage()',
    spans: ['Messages.create CHAT_MODEL'],
    usage: ANTHROPIC_USAGE,
    run: ({ anthropic }) => anthropic.messages.stream(claude('helper')).finalMessage(),
  },
  {
    helper: 'anthropic messages.stream() read with for await',
    spans: ['Messages.create CHAT_MODEL'],
    usage: ANTHROPIC_USAGE,
    run: ({ anthropic }) => drain(anthropic.messages.stream(claude('events'))),
  },
  {
    helper: "anthropic messages.stream().on('text') then done()",
    spans: ['Messages.create CHAT_MODEL'],
    usage: ANTHROPIC_USAGE,
    run: async ({ anthropic }) => {
      let text = '';
      await anthropic.messages
        .stream(claude('text events'))
        .on('text', (delta) => (text += delta))
        .done();
      expect(text).toBe('Echo: text events');
    },
  },
  {
    helper: 'anthropic beta.messages.stream().finalMessage()',
    spans: ['Messages.create CHAT_MODEL'],
    usage: ANTHROPIC_USAGE,
    run: ({ anthropic }) => anthropic.beta.messages.stream(claude('beta')).finalMessage(),
  },
  {
    helper: 'gemini models.generateContentStream()',
    spans: ['Models.generate_content_stream LLM'],
    usage: GEMINI_USAGE,
    run: async ({ gemini }) =>
      drain(await gemini.models.generateContentStream({ model: GEMINI_MODEL, contents: 'hi' })),
  },
  {
    helper: 'gemini chat.sendMessageStream() (a chat turn over its model call)',
    spans: ['Chat.send_message_stream CHAT_MODEL', 'Models.generate_content_stream LLM'],
    usage: GEMINI_USAGE,
    run: async ({ gemini }) =>
      drain(
        await gemini.chats.create({ model: GEMINI_MODEL }).sendMessageStream({ message: 'hi' }),
      ),
  },
  {
    helper: 'bedrock ConverseStream',
    spans: ['BedrockRuntime.converse_stream CHAT_MODEL'],
    usage: BEDROCK_USAGE,
    run: async ({ bedrock }) => {
      const response = await bedrock.send(
        new ConverseStreamCommand({
          modelId: BEDROCK_MODEL,
          messages: [{ role: 'user', content: [{ text: 'stream' }] }],
        }),
      );
      await drain(response.stream!);
    },
  },
  {
    helper: 'bedrock InvokeModelWithResponseStream',
    spans: ['BedrockRuntime.invoke_model_with_response_stream LLM'],
    usage: BEDROCK_USAGE,
    run: async ({ bedrock }) => {
      const response = await bedrock.send(
        new InvokeModelWithResponseStreamCommand({
          modelId: BEDROCK_MODEL,
          body: JSON.stringify({ messages: user('stream') }),
        }),
      );
      await drain(response.body!);
    },
  },
  {
    helper: 'mistral chat.stream()',
    spans: ['Chat.stream CHAT_MODEL'],
    usage: CHAT_USAGE,
    run: async ({ mistral }) =>
      drain(await mistral.chat.stream({ model: 'mistral-small-latest', messages: user('hi') })),
  },
  {
    helper: "mistral chat.stream() with the SDK's telemetry on the global provider",
    spans: ['Chat.stream CHAT_MODEL'],
    usage: CHAT_USAGE,
    run: async ({ mistralOtel }) =>
      drain(await mistralOtel.chat.stream({ model: 'mistral-small-latest', messages: user('hi') })),
  },
  {
    helper: 'groq chat.completions.create({ stream: true })',
    spans: ['Completions CHAT_MODEL'],
    usage: CHAT_USAGE,
    run: async ({ groq }) =>
      drain(
        await groq.chat.completions.create({
          model: 'llama-3.3-70b-versatile',
          messages: user('hi'),
          stream: true,
        }),
      ),
  },
  {
    helper: 'ollama chat({ stream: true })',
    spans: ['Ollama.chat CHAT_MODEL'],
    usage: OLLAMA_USAGE,
    run: async ({ ollama }) =>
      drain(await ollama.chat({ model: 'llama3.2', messages: user('hi'), stream: true })),
  },
  {
    helper: 'ollama generate({ stream: true })',
    spans: ['Ollama.generate LLM'],
    usage: OLLAMA_USAGE,
    run: async ({ ollama }) =>
      drain(await ollama.generate({ model: 'llama3.2', prompt: 'hi', stream: true })),
  },
  {
    helper: 'langchain ChatOpenAI.stream() with the MLflow callback handler',
    spans: ['ChatOpenAI CHAT_MODEL'],
    usage: CHAT_USAGE,
    minNode: langchainOpenAI.minNode,
    run: async ({ openaiBaseURL }) => {
      const { ChatOpenAI } = langchainOpenAI.load();
      const model = new ChatOpenAI({
        model: 'gpt-test',
        apiKey: 'sk-test',
        maxRetries: 0,
        configuration: { baseURL: openaiBaseURL },
      });
      await drain(
        await model.stream('hi', {
          callbacks: [langchainHandler],
          stream_options: { include_usage: true },
        }),
      );
    },
  },
];

const SDKS = 'SDKS';

@Injectable()
class Caller {
  constructor(@Inject(SDKS) readonly sdks: Sdks) {}

  @Trace(SpanType.AGENT)
  run(call: StreamingCall): Promise<unknown> {
    return call.run(this.sdks);
  }
}

/** The traces a call left, once no span is open any more (streams end after the caller's await). */
async function settledTraces(exporter: InMemoryTraceExporter): Promise<readonly FinishedTrace[]> {
  for (let waited = 0; waited < 2000 && exporter.getTraces().length === 0; waited += 10)
    await new Promise((resolve) => setTimeout(resolve, 10));
  // A second trace or a late span would come within a few ticks of the first.
  await new Promise((resolve) => setTimeout(resolve, 30));
  return exporter.getTraces();
}

/** Each span of a trace as `name TYPE`, in start order. */
const spansOf = (trace: FinishedTrace) =>
  trace.spans.map((span: FinishedSpan) => `${span.name} ${span.spanType}`);

describe.each([
  ['off', {}],
  ['on (otel.registerGlobal)', { otel: { registerGlobal: true } }],
])('every streaming helper with the OpenTelemetry bridge %s', (_bridge, options) => {
  const servers: { stop(): Promise<void> }[] = [];
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let caller: Caller;

  async function started(server: FakeProviderServer | FakeBedrockServer): Promise<string> {
    servers.push(server);
    return server.start();
  }

  beforeAll(async () => {
    const openaiSdk = newestRunnable(OPENAI_SDKS).load();
    const anthropicSdk = newestRunnable(ANTHROPIC_SDKS).load();
    const geminiSdk = newestRunnable(GEMINI_SDKS).load();
    const openaiBaseURL = `${await started(fakeOpenAIServer())}/v1`;
    const anthropicURL = await started(fakeAnthropicServer());
    const geminiURL = await started(fakeGeminiServer());
    const bedrockURL = await started(new FakeBedrockServer());
    const mistralURL = await started(fakeMistralServer());
    const groqURL = await started(fakeGroqServer());
    const ollamaURL = await started(fakeOllamaServer());
    const sdks = (): Sdks => {
      const mistralOtel = new Mistral({ apiKey: 'test-key', serverURL: mistralURL });
      void configureTelemetry(mistralOtel, 'global', { redaction: false });
      return {
        openai: traceOpenAI(
          new openaiSdk.default({ apiKey: 'sk-test', baseURL: openaiBaseURL, maxRetries: 0 }),
        ),
        anthropic: traceAnthropic(
          new anthropicSdk.default({ apiKey: 'sk-ant-test', baseURL: anthropicURL, maxRetries: 0 }),
        ),
        gemini: traceGemini(new geminiSdk.GoogleGenAI(geminiTestOptions(geminiURL))),
        bedrock: traceBedrock(new BedrockRuntimeClient(fakeBedrockClientConfig(bedrockURL))),
        mistral: traceMistral(new Mistral({ apiKey: 'test-key', serverURL: mistralURL })),
        mistralOtel: traceMistral(mistralOtel),
        groq: traceGroq(new Groq({ apiKey: 'gsk-test', baseURL: groqURL, maxRetries: 0 })),
        ollama: traceOllama(new Ollama({ host: ollamaURL })),
        openaiBaseURL,
      };
    };
    ({ app, exporter } = await bootWithMemoryExporter(
      { providers: [Caller, { provide: SDKS, useFactory: sdks }] },
      options,
    ));
    caller = app.get(Caller);
  });
  afterAll(async () => {
    await app?.close();
    caller?.sdks.bedrock.destroy();
    await Promise.all(servers.map((server) => server.stop()));
  });
  beforeEach(() => exporter.reset());

  describe.each(CALLS)('$helper', (call) => {
    const maybe = runsHere({ minNode: call.minNode ?? 0 }) ? it : it.skip;

    maybe('under a @Trace method: its model spans once, tokens counted once', async () => {
      await caller.run(call);
      const traces = await settledTraces(exporter);
      expect(traces.map(spansOf)).toEqual([['Caller.run AGENT', ...call.spans]]);
      const [root, ...spans] = traces[0].spans;
      expect(spans[0].parentSpanIdHex).toBe(root.spanIdHex);
      expect(spans[0].attributes['mlflow.chat.tokenUsage']).toEqual(call.usage);
      expect(aggregateTokenUsage(traces[0].spans)).toEqual(call.usage);
    });

    maybe('outside any @Trace: one trace of its own, tokens counted once', async () => {
      await call.run(caller.sdks);
      const traces = await settledTraces(exporter);
      expect(traces.map(spansOf)).toEqual([call.spans]);
      const spans = traces[0].spans;
      expect(spans[0].parentSpanIdHex).toBeNull();
      expect(spans[0].attributes['mlflow.chat.tokenUsage']).toEqual(call.usage);
      expect(aggregateTokenUsage(spans)).toEqual(call.usage);
    });
  });
});
