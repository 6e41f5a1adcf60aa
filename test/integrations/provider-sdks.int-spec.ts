import { join } from 'node:path';
import { Inject, Injectable, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { GoogleGenAI } from '@google/genai';
import { Mistral } from '@mistralai/mistralai';
import Groq from 'groq-sdk';
import { Ollama } from 'ollama';
import {
  MlflowTracingModule,
  SpanType,
  Trace,
  traceGemini,
  traceGroq,
  traceMistral,
  traceOllama,
  TracingService,
} from '../../lib';
import { readTraceWithPython, runMlflowPython, type PythonTrace } from '../checks/mlflow-python';
import {
  fakeGeminiServer,
  GEMINI_EMBED_MODEL,
  GEMINI_FAIL_WORD,
  GEMINI_MODEL,
} from './fixtures/fake-gemini-server';
import { fakeGroqServer, fakeMistralServer } from './fixtures/fake-openai-compatible-server';
import { fakeOllamaServer, OLLAMA_MISSING_MODEL } from './fixtures/fake-ollama-server';
import { FAIL_WORD } from './fixtures/fake-openai-server';
import { GEMINI_SDKS, geminiTestOptions } from './fixtures/gemini-sdks';
import { newestRunnable } from './fixtures/sdk-versions';

const GEMINI = 'GEMINI';
const MISTRAL = 'MISTRAL';
const GROQ = 'GROQ';
const OLLAMA = 'OLLAMA';
const geminiSdk = newestRunnable(GEMINI_SDKS);
const weather = {
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
};

@Injectable()
class Concierge {
  constructor(
    @Inject(GEMINI) private readonly gemini: GoogleGenAI,
    @Inject(MISTRAL) private readonly mistral: Mistral,
    @Inject(GROQ) private readonly groq: Groq,
    @Inject(OLLAMA) private readonly ollama: Ollama,
    private readonly tracing: TracingService,
  ) {}

  /** Every traced call of the four SDKs, streamed and not, with a Gemini tool round trip. */
  @Trace(SpanType.AGENT)
  async tour(question: string): Promise<string | undefined> {
    const config = {
      tools: [
        {
          functionDeclarations: [{ name: weather.name, parametersJsonSchema: weather.parameters }],
        },
      ],
    };
    const contents = [{ role: 'user', parts: [{ text: question }] }];
    const call = await this.gemini.models.generateContent({
      model: GEMINI_MODEL,
      contents,
      config,
    });
    await this.gemini.models.generateContent({
      model: GEMINI_MODEL,
      config,
      contents: [
        ...contents,
        call.candidates![0].content!,
        {
          role: 'user',
          parts: [{ functionResponse: { name: weather.name, response: { sky: 'sunny' } } }],
        },
      ],
    });
    for await (const chunk of await this.gemini.models.generateContentStream({
      model: GEMINI_MODEL,
      contents: question,
    }))
      void chunk;
    await this.gemini.models.embedContent({ model: GEMINI_EMBED_MODEL, contents: question });

    await this.mistral.chat.complete({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: question }],
    });
    for await (const event of await this.mistral.chat.stream({
      model: 'mistral-small-latest',
      messages: [{ role: 'user', content: question }],
    }))
      void event;

    await this.groq.chat.completions.create({
      model: 'llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: question }],
      tools: [{ type: 'function', function: weather }],
    });
    for await (const chunk of await this.groq.chat.completions.create({
      model: 'llama-3.3-70b-versatile',
      messages: [{ role: 'user', content: question }],
      stream: true,
    }))
      void chunk;

    await this.ollama.chat({ model: 'llama3.2', messages: [{ role: 'user', content: question }] });
    for await (const part of await this.ollama.generate({
      model: 'llama3.2',
      prompt: question,
      stream: true,
    }))
      void part;
    await this.ollama.embed({ model: 'nomic-embed-text', input: question });
    return this.tracing.getActiveTraceId();
  }

  /** One plain call per SDK, the answers joined. */
  @Trace(SpanType.AGENT)
  async ask(question: string): Promise<{ traceId?: string; answers: unknown[] }> {
    const messages = [{ role: 'user' as const, content: question }];
    const answers = await Promise.all([
      this.gemini.models
        .generateContent({ model: GEMINI_MODEL, contents: question })
        .then((r) => r.text),
      this.mistral.chat
        .complete({ model: 'mistral-small-latest', messages })
        .then((r) => r.choices[0]?.message?.content),
      this.groq.chat.completions
        .create({ model: 'llama-3.3-70b-versatile', messages })
        .then((r) => r.choices[0].message.content),
      this.ollama.chat({ model: 'llama3.2', messages }).then((r) => r.message.content),
    ]);
    return { traceId: this.tracing.getActiveTraceId(), answers };
  }

  /** A failing call per SDK, each caught. */
  @Trace(SpanType.AGENT)
  async failEach(): Promise<string | undefined> {
    const messages = [{ role: 'user' as const, content: FAIL_WORD }];
    const failures = await Promise.allSettled([
      this.gemini.models.generateContent({ model: GEMINI_MODEL, contents: GEMINI_FAIL_WORD }),
      this.mistral.chat.complete({ model: 'mistral-small-latest', messages }),
      this.groq.chat.completions.create({ model: 'llama-3.3-70b-versatile', messages }),
      this.ollama.chat({ model: OLLAMA_MISSING_MODEL, messages }),
    ]);
    expect(failures.map((f) => f.status)).toEqual(Array(4).fill('rejected'));
    return this.tracing.getActiveTraceId();
  }
}

/** Reads several traces with one Python process (`mlflow.get_trace` each). */
async function readTracesWithPython(traceIds: string[]): Promise<PythonTrace[]> {
  const script = [
    'import importlib.util, json, sys',
    `spec = importlib.util.spec_from_file_location('read_trace', ${JSON.stringify(join(__dirname, '..', 'checks', 'read-trace.py'))})`,
    'rt = importlib.util.module_from_spec(spec); spec.loader.exec_module(rt)',
    'rt.REAL_STDOUT.write(json.dumps([rt.main(["get", t]) for t in sys.argv[1:]], default=str))',
  ].join('\n');
  return JSON.parse(await runMlflowPython(['-c', script, ...traceIds])) as PythonTrace[];
}

describe(`Gemini (${geminiSdk.label}), Mistral, Groq and Ollama traced into a real MLflow server`, () => {
  const servers = {
    gemini: fakeGeminiServer(),
    mistral: fakeMistralServer(),
    groq: fakeGroqServer(),
    ollama: fakeOllamaServer(),
  };
  let app: INestApplication;
  let tracing: TracingService;

  beforeAll(async () => {
    const [gemini, mistral, groq, ollama] = await Promise.all([
      servers.gemini.start(),
      servers.mistral.start(),
      servers.groq.start(),
      servers.ollama.start(),
    ]);
    const { GoogleGenAI } = geminiSdk.load();
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: `provider-sdks-${Date.now()}`,
        }),
      ],
      providers: [
        Concierge,
        {
          provide: GEMINI,
          useFactory: () => traceGemini(new GoogleGenAI(geminiTestOptions(gemini))),
        },
        {
          provide: MISTRAL,
          useFactory: () => traceMistral(new Mistral({ apiKey: 'test', serverURL: mistral })),
        },
        {
          provide: GROQ,
          useFactory: () => traceGroq(new Groq({ apiKey: 'test', baseURL: groq, maxRetries: 0 })),
        },
        { provide: OLLAMA, useFactory: () => traceOllama(new Ollama({ host: ollama })) },
      ],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    tracing = app.get(TracingService);
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  });

  it('stores every call as a typed span under the @Trace span, with format, model, provider and usage', async () => {
    const traceId = await app.get(Concierge).tour('Weather in Paris?');
    await tracing.flush();
    const trace = await readTraceWithPython(traceId!);
    const parentOf = (id: string | null) => trace.spans.find((s) => s.span_id === id)?.name ?? null;
    const rows = trace.spans.map((s) => [
      s.name,
      s.span_type,
      parentOf(s.parent_id),
      s.attributes['mlflow.message.format'] ?? null,
      s.attributes['mlflow.llm.provider'] ?? null,
    ]);
    expect(rows.sort()).toEqual(
      [
        ['Concierge.tour', 'AGENT', null, null, null],
        ['Models.generate_content', 'LLM', 'Concierge.tour', 'gemini', 'gemini'],
        ['Models._generate_content', 'LLM', 'Models.generate_content', 'gemini', 'gemini'],
        ['Models.generate_content', 'LLM', 'Concierge.tour', 'gemini', 'gemini'],
        ['Models._generate_content', 'LLM', 'Models.generate_content', 'gemini', 'gemini'],
        ['Models.generate_content_stream', 'LLM', 'Concierge.tour', 'gemini', 'gemini'],
        ['Models.embed_content', 'EMBEDDING', 'Concierge.tour', 'gemini', 'gemini'],
        ['Chat.complete', 'CHAT_MODEL', 'Concierge.tour', 'mistral', 'mistral'],
        ['Chat.stream', 'CHAT_MODEL', 'Concierge.tour', 'mistral', 'mistral'],
        ['Completions', 'CHAT_MODEL', 'Concierge.tour', 'groq', 'groq'],
        ['Completions', 'CHAT_MODEL', 'Concierge.tour', 'groq', 'groq'],
        ['Ollama.chat', 'CHAT_MODEL', 'Concierge.tour', 'ollama', 'ollama'],
        ['Ollama.generate', 'LLM', 'Concierge.tour', 'ollama', 'ollama'],
        ['Ollama.embed', 'EMBEDDING', 'Concierge.tour', null, 'ollama'],
      ].sort(),
    );
    const spans = (name: string) => trace.spans.filter((s) => s.name === name);
    const usage = (input: number, output: number) => ({
      input_tokens: input,
      output_tokens: output,
      total_tokens: input + output,
    });

    const [toolCall, toolAnswer] = spans('Models.generate_content');
    expect(toolCall.attributes['mlflow.chat.tools']).toEqual([
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: { properties: weather.parameters.properties },
        },
      },
    ]);
    expect(toolCall.outputs).toMatchObject({
      candidates: [
        {
          content: { parts: [{ function_call: { name: 'get_weather', args: { city: 'Paris' } } }] },
        },
      ],
    });
    expect(toolAnswer.inputs).toMatchObject({
      contents: [{}, {}, { parts: [{ function_response: { name: 'get_weather' } }] }],
    });
    expect(toolAnswer.attributes['mlflow.chat.tokenUsage']).toEqual(usage(12, 6));
    const geminiStream = spans('Models.generate_content_stream')[0];
    expect(geminiStream.outputs).toMatchObject({
      candidates: [{ content: { parts: [{ text: 'Echo: Weather in Paris?' }] } }],
    });
    expect(geminiStream.events.filter((e) => e.name.startsWith('mlflow.chunk.item.'))).toHaveLength(
      4,
    );

    const mistralStream = spans('Chat.stream')[0];
    expect(mistralStream.outputs).toMatchObject({
      choices: [{ message: { content: 'Echo: Weather in Paris?' } }],
    });
    expect(mistralStream.attributes['mlflow.chat.tokenUsage']).toEqual(usage(11, 7));
    const [groqTool, groqStream] = spans('Completions');
    expect(groqTool.attributes['mlflow.chat.tools']).toEqual([
      { type: 'function', function: weather },
    ]);
    expect(groqStream.attributes['mlflow.chat.tokenUsage']).toEqual(usage(11, 7));
    const ollamaChat = spans('Ollama.chat')[0];
    expect(ollamaChat.attributes['mlflow.chat.messages']).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: 'Echo: Weather in Paris?' },
    ]);
    expect(spans('Ollama.generate')[0].attributes['mlflow.chat.tokenUsage']).toEqual(usage(15, 8));

    // Gemini 3 × (12 in, 6 out) (the internal request spans count once, under their call),
    // Mistral and Groq 4 × (11, 7) + 4 embedding tokens... Ollama 2 × (15, 8) + 6 embedding.
    const summed = usage(3 * 12 + 4 * 11 + 2 * 15 + 6, 3 * 6 + 4 * 7 + 2 * 8);
    expect(trace.info.token_usage).toEqual(summed);
    expect(trace.info.state).toBe('OK');
  });

  it('stores a failed call of each SDK as an ERROR span with its exception', async () => {
    const traceId = await app.get(Concierge).failEach();
    await tracing.flush();
    const trace = await readTraceWithPython(traceId!);
    const failed = trace.spans
      .filter((s) => s.status_code === 'ERROR')
      .map((s) => s.name)
      .sort();
    expect(failed).toEqual(
      [
        'Chat.complete',
        'Completions',
        'Models._generate_content',
        'Models.generate_content',
        'Ollama.chat',
      ].sort(),
    );
    for (const span of trace.spans.filter((s) => s.status_code === 'ERROR'))
      expect(
        span.events.find((e) => e.name === 'exception')?.attributes['exception.message'],
      ).toMatch(/refused|not found/);
  });

  it('keeps 10 concurrent requests apart: each trace holds its own four calls', async () => {
    const questions = Array.from({ length: 10 }, (_, i) => `question ${i}`);
    const results = await Promise.all(questions.map((q) => app.get(Concierge).ask(q)));
    for (const [i, { answers }] of results.entries())
      expect(answers).toEqual(Array(4).fill(`Echo: ${questions[i]}`));
    await tracing.flush();
    const traces = await readTracesWithPython(results.map((r) => r.traceId!));
    for (const [i, trace] of traces.entries()) {
      const calls = trace.spans.filter(
        (s) =>
          (s.parent_id !== null && s.span_type !== 'LLM') || s.name === 'Models.generate_content',
      );
      expect(calls.map((s) => s.name).sort()).toEqual([
        'Chat.complete',
        'Completions',
        'Models.generate_content',
        'Ollama.chat',
      ]);
      for (const span of calls) expect(JSON.stringify(span.inputs)).toContain(questions[i]);
      for (const span of calls)
        expect(JSON.stringify(span.outputs)).toContain(`Echo: ${questions[i]}`);
    }
  });
});
