import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';
import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { RunnableSequence } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { type FinishedSpan, InMemoryTraceExporter, MlflowTracingModule } from '../../lib';
import { aggregateTokenUsage } from '../../lib/mlflow/token-usage';
import { fakeAnthropicServer } from './fixtures/fake-anthropic-server';
import { fakeGeminiServer } from './fixtures/fake-gemini-server';
import { fakeOllamaServer } from './fixtures/fake-ollama-server';
import { fakeGroqServer, fakeMistralServer } from './fixtures/fake-openai-compatible-server';
import { fakeOpenAIServer } from './fixtures/fake-openai-server';
import { renderTree } from './fixtures/render-tree';
import { runsHere } from './fixtures/sdk-versions';
import { docBlocks } from '../fixtures/docs';
import { RESEARCH_CHAIN, Researcher } from './readme/langchain-readme.service';

const NODE_22 = { minNode: 22 };

/** The code blocks of docs/llm-sdks.md on the SDK wrappers (up to the AI SDK), by language. */
function readmeBlocks(language: string): string[] {
  const aiSdk = docBlocks('docs/llm-sdks.md', '## Vercel AI SDK')[0].line;
  return docBlocks('docs/llm-sdks.md')
    .filter((block) => block.lang === language && block.line < aiSdk)
    .map((block) => block.code.trim());
}

/** A documented example file as a user would write it: the package name instead of the repo path. */
function example(file: string): string {
  return readFileSync(join(__dirname, 'readme', file), 'utf8')
    .replace(/^\/\/ .*\n/, '')
    .replaceAll("'../../../lib'", "'nestjs-mlflow-tracing'");
}

/**
 * Sends the requests an example makes to a URL it hardcodes (each key of `routes`, an origin and
 * path prefix) to the fake server its value names instead, through the global `fetch` the SDKs call; any other request
 * fails, so nothing reaches the network. Install it before the example's client is created (some
 * SDKs keep the `fetch` they find then).
 */
function redirectFetch(routes: Record<string, string>): jest.SpyInstance {
  const realFetch = globalThis.fetch;
  return jest.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const from = Object.keys(routes).find((prefix) => request.url.startsWith(prefix));
    if (from === undefined) throw new Error(`unexpected request to ${request.url}`);
    return realFetch(routes[from] + request.url.slice(from.length), {
      method: request.method,
      headers: request.headers,
      body: request.body === null ? undefined : await request.arrayBuffer(),
      signal: request.signal,
    });
  });
}

/**
 * Lets code in Jest's sandbox reach Node's global Undici dispatcher, as it does outside Jest.
 * `@google/genai` sends its requests through the dispatcher it finds on `globalThis` (to lift
 * Undici's timeouts), and Jest's sandbox has its own `globalThis` without it. Returns the undo.
 */
function shareUndiciDispatcher(): () => void {
  const key = Symbol.for('undici.globalDispatcher.1');
  new Headers(); // makes Node load Undici, which sets its global dispatcher
  const nodeGlobal = runInThisContext('globalThis') as Record<symbol, unknown>;
  const sandbox = globalThis as unknown as Record<symbol, unknown>;
  const before = sandbox[key];
  sandbox[key] = nodeGlobal[key];
  return () => {
    sandbox[key] = before;
  };
}

/** A span's type, model, provider and token usage, as the docs pages list them. */
function modelSpan(span: FinishedSpan) {
  return {
    type: span.spanType,
    model: span.attributes['mlflow.llm.model'],
    provider: span.attributes['mlflow.llm.provider'],
    usage: span.attributes['mlflow.chat.tokenUsage'],
  };
}

async function boot(imports: never[], providers: never[]) {
  const exporter = new InMemoryTraceExporter();
  const moduleRef = await Test.createTestingModule({
    imports: [MlflowTracingModule.forRoot({ exporter }), ...imports],
    providers,
  }).compile();
  const app: INestApplication = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return { app, exporter };
}

describe('docs/llm-sdks.md: LLM SDKs in one line', () => {
  const trees = readmeBlocks('text');
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
  });

  it('shows code that is, line for line, in the examples these tests run', () => {
    const sources = [
      'openai-readme.module.ts',
      'anthropic-readme.module.ts',
      'langchain-readme.service.ts',
    ]
      .map(example)
      .join('\n');
    const blocks = readmeBlocks('ts');
    expect(blocks.length).toBeGreaterThanOrEqual(3);
    for (const block of blocks) expect(sources).toContain(block);
  });

  it(`OpenAI example gives the guide's trace (openai ${runsHere(NODE_22) ? 7 : '6, as openai 7 needs Node 22+'})`, async () => {
    // On Node 20 the example's `import OpenAI from 'openai'` gets openai 6 (openai-v6).
    if (!runsHere(NODE_22)) jest.doMock('openai', () => jest.requireActual('openai-v6'));
    const server = fakeOpenAIServer();
    process.env.OPENAI_BASE_URL = `${await server.start()}/v1`;
    process.env.OPENAI_API_KEY = 'sk-readme';
    // Loaded here, after the mock above.
    const { ChatService, OpenAIModule } = await import('./readme/openai-readme.module');
    const { app, exporter } = await boot([OpenAIModule as never], [ChatService as never]);
    try {
      await expect(app.get(ChatService).answer('Hi')).resolves.toBe('Echo: Hi');
      expect(trees).toContain(renderTree(exporter.getSpans()));
    } finally {
      await app.close();
      await server.stop();
    }
  });

  it("Anthropic example gives the guide's trace", async () => {
    const server = fakeAnthropicServer();
    process.env.ANTHROPIC_BASE_URL = await server.start();
    process.env.ANTHROPIC_API_KEY = 'sk-ant-readme';
    const { AnthropicModule } = await import('./readme/anthropic-readme.module');
    const Anthropic = (await import('@anthropic-ai/sdk')).default;
    const { app, exporter } = await boot([AnthropicModule as never], []);
    try {
      await app.get(Anthropic).messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 256,
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(trees).toContain(renderTree(exporter.getSpans()));
    } finally {
      await app.close();
      await server.stop();
    }
  });

  it("LangChain example gives the guide's trace (ChatOpenAI on Node 22+, a fake chat model before)", async () => {
    const server = fakeOpenAIServer();
    const baseURL = `${await server.start()}/v1`;
    const model = runsHere(NODE_22)
      ? // eslint-disable-next-line @typescript-eslint/no-require-imports -- needs Node 22+
        new (require('@langchain/openai') as typeof import('@langchain/openai')).ChatOpenAI({
          model: 'gpt-4o-mini',
          apiKey: 'sk-readme',
          configuration: { baseURL },
        })
      : new FakeListChatModel({ responses: ['Echo: What is MLflow?'] });
    const chain = RunnableSequence.from([
      ChatPromptTemplate.fromTemplate('{question}'),
      model,
      new StringOutputParser(),
    ]);
    const { app, exporter } = await boot([], [
      Researcher,
      { provide: RESEARCH_CHAIN, useValue: chain },
    ] as never[]);
    try {
      await expect(app.get(Researcher).research('What is MLflow?')).resolves.toBe(
        'Echo: What is MLflow?',
      );
      const tree = renderTree(exporter.getSpans());
      const readmeTree = trees.find((t) => t.startsWith('Researcher.research'))!;
      expect(
        runsHere(NODE_22)
          ? tree
          : tree.replace(
              'FakeListChatModel (CHAT_MODEL)  format langchain',
              'ChatOpenAI (CHAT_MODEL)  format langchain',
            ),
      ).toBe(
        runsHere(NODE_22) ? readmeTree : readmeTree.replace(/, model gpt-4o-mini, tokens .*$/m, ''),
      );
    } finally {
      await app.close();
      await server.stop();
    }
  });
});

/** The one TypeScript block of a docs/llm-sdks/ page. */
function pageExample(page: string): string {
  const blocks = docBlocks(`docs/llm-sdks/${page}`).filter((block) => block.lang === 'ts');
  expect(blocks).toHaveLength(1);
  return blocks[0].code;
}

describe('docs/llm-sdks/: each SDK page runs its example module unchanged', () => {
  const env = { ...process.env };
  afterEach(() => {
    process.env = { ...env };
    jest.restoreAllMocks();
  });

  it.each([
    ['gemini.md', 'gemini-readme.module.ts'],
    ['mistral.md', 'mistral-readme.module.ts'],
    ['groq.md', 'groq-readme.module.ts'],
    ['ollama.md', 'ollama-readme.module.ts'],
    ['openai-compatible.md', 'openai-compatible-readme.module.ts'],
  ])('%s shows exactly %s', (page, file) => {
    expect(pageExample(page)).toBe(example(file));
  });

  it("Gemini: the page's module and service trace generateContent (GEMINI_API_KEY, GOOGLE_GEMINI_BASE_URL)", async () => {
    const server = fakeGeminiServer('gemini-2.5-flash');
    delete process.env.GOOGLE_API_KEY;
    delete process.env.GOOGLE_GENAI_USE_VERTEXAI;
    process.env.GEMINI_API_KEY = 'gemini-readme';
    process.env.GOOGLE_GEMINI_BASE_URL = await server.start();
    const unshare = shareUndiciDispatcher();
    const { GeminiChatService, GeminiModule } = await import('./readme/gemini-readme.module');
    const { app, exporter } = await boot([GeminiModule as never], [GeminiChatService as never]);
    try {
      await expect(app.get(GeminiChatService).answer('Hi')).resolves.toBe('Echo: Hi');
      expect(renderTree(exporter.getSpans())).toBe(
        [
          'GeminiChatService.answer (AGENT)',
          '└── Models.generate_content (LLM)  format gemini, model gemini-2.5-flash, tokens 12 in / 6 out',
          '    └── Models._generate_content (LLM)  format gemini, model gemini-2.5-flash, tokens 12 in / 6 out',
        ].join('\n'),
      );
      const usage = { input_tokens: 12, output_tokens: 6, total_tokens: 18 };
      // The request span's usage is the call's, counted once in the trace's.
      expect(aggregateTokenUsage(exporter.getSpans())).toEqual(usage);
      expect(modelSpan(exporter.findSpan({ name: 'Models.generate_content' }))).toEqual({
        type: 'LLM',
        model: 'gemini-2.5-flash',
        provider: 'gemini',
        usage,
      });
      expect(server.requests.map((r) => r.headers['x-goog-api-key'])).toEqual(['gemini-readme']);
    } finally {
      await app.close();
      await server.stop();
      unshare();
    }
  });

  it("Mistral: the page's module traces chat.complete (MISTRAL_API_KEY; api.mistral.ai redirected to a fake)", async () => {
    const server = fakeMistralServer();
    // The SDK reads no server URL from the environment: its requests to api.mistral.ai are sent
    // to the fake.
    redirectFetch({ 'https://api.mistral.ai': await server.start() });
    process.env.MISTRAL_API_KEY = 'mistral-readme';
    const { MistralModule } = await import('./readme/mistral-readme.module');
    const { Mistral } = await import('@mistralai/mistralai');
    const { app, exporter } = await boot([MistralModule as never], []);
    try {
      const response = await app.get(Mistral).chat.complete({
        model: 'mistral-small-latest',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(response).toMatchObject({ choices: [{ message: { content: 'Echo: Hi' } }] });
      expect(renderTree(exporter.getSpans())).toBe(
        'Chat.complete (CHAT_MODEL)  format mistral, model mistral-small-latest, tokens 11 in / 7 out',
      );
      expect(modelSpan(exporter.findSpan({ name: 'Chat.complete' }))).toEqual({
        type: 'CHAT_MODEL',
        model: 'mistral-small-latest',
        provider: 'mistral',
        usage: { input_tokens: 11, output_tokens: 7, total_tokens: 18 },
      });
      expect(server.requests.map((r) => r.headers.authorization)).toEqual([
        'Bearer mistral-readme',
      ]);
    } finally {
      await app.close();
      await server.stop();
    }
  });

  it("Groq: the page's module traces chat.completions.create (GROQ_API_KEY, GROQ_BASE_URL)", async () => {
    const server = fakeGroqServer();
    process.env.GROQ_BASE_URL = await server.start();
    process.env.GROQ_API_KEY = 'gsk-readme';
    const { GroqModule } = await import('./readme/groq-readme.module');
    const Groq = (await import('groq-sdk')).default;
    const { app, exporter } = await boot([GroqModule as never], []);
    try {
      const completion = await app.get(Groq).chat.completions.create({
        model: 'llama-3.3-70b-versatile',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(completion.choices[0].message.content).toBe('Echo: Hi');
      expect(renderTree(exporter.getSpans())).toBe(
        'Completions (CHAT_MODEL)  format groq, model llama-3.3-70b-versatile, tokens 11 in / 7 out',
      );
      expect(modelSpan(exporter.findSpan({ name: 'Completions' }))).toEqual({
        type: 'CHAT_MODEL',
        model: 'llama-3.3-70b-versatile',
        provider: 'groq',
        usage: { input_tokens: 11, output_tokens: 7, total_tokens: 18 },
      });
      expect(server.requests.map((r) => r.headers.authorization)).toEqual(['Bearer gsk-readme']);
    } finally {
      await app.close();
      await server.stop();
    }
  });

  it("Ollama: the page's module traces chat (its host, 127.0.0.1:11434, redirected to a fake)", async () => {
    const server = fakeOllamaServer();
    // The example names its host, so OLLAMA_HOST does not apply: its requests are sent to the
    // fake instead.
    redirectFetch({ 'http://127.0.0.1:11434': await server.start() });
    const { OllamaModule } = await import('./readme/ollama-readme.module');
    const { Ollama } = await import('ollama');
    const { app, exporter } = await boot([OllamaModule as never], []);
    try {
      const response = await app.get(Ollama).chat({
        model: 'llama3.2',
        messages: [{ role: 'user', content: 'Hi' }],
      });
      expect(response.message.content).toBe('Echo: Hi');
      expect(renderTree(exporter.getSpans())).toBe(
        'Ollama.chat (CHAT_MODEL)  format ollama, model llama3.2, tokens 15 in / 8 out',
      );
      expect(modelSpan(exporter.findSpan({ name: 'Ollama.chat' }))).toEqual({
        type: 'CHAT_MODEL',
        model: 'llama3.2',
        provider: 'ollama',
        usage: { input_tokens: 15, output_tokens: 8, total_tokens: 23 },
      });
    } finally {
      await app.close();
      await server.stop();
    }
  });

  it(`OpenAI-compatible: the page's DeepSeek and vLLM clients are recorded as deepseek and vllm (openai ${runsHere(NODE_22) ? 7 : '6, as openai 7 needs Node 22+'})`, async () => {
    if (!runsHere(NODE_22)) jest.doMock('openai', () => jest.requireActual('openai-v6'));
    const server = fakeOpenAIServer();
    const fake = `${await server.start()}/v1`;
    // The example names both base URLs, so OPENAI_BASE_URL does not apply: their requests are
    // sent to the fake instead.
    redirectFetch({ 'https://api.deepseek.com': fake, 'http://vllm:8000/v1': fake });
    process.env.DEEPSEEK_API_KEY = 'sk-deepseek-readme';
    // Loaded here, after the mock above.
    const { DEEPSEEK, OpenAICompatibleModule, VLLM } =
      await import('./readme/openai-compatible-readme.module');
    type OpenAI = import('openai').default;
    const { app, exporter } = await boot([OpenAICompatibleModule as never], []);
    const ask = (client: string, model: string) =>
      app.get<OpenAI>(client).chat.completions.create({
        model,
        messages: [{ role: 'user', content: 'Hi' }],
      });
    try {
      const deepseek = await ask(DEEPSEEK, 'deepseek-chat');
      const vllm = await ask(VLLM, 'meta-llama/Llama-3.1-8B-Instruct');
      expect([deepseek, vllm].map((c) => c.choices[0].message.content)).toEqual([
        'Echo: Hi',
        'Echo: Hi',
      ]);
      expect(renderTree(exporter.getSpans())).toBe(
        [
          'Completions (CHAT_MODEL)  format openai, model deepseek-chat, tokens 11 in / 7 out',
          'Completions (CHAT_MODEL)  format openai, model meta-llama/Llama-3.1-8B-Instruct, tokens 11 in / 7 out',
        ].join('\n'),
      );
      const usage = { input_tokens: 11, output_tokens: 7, total_tokens: 18 };
      expect(exporter.getSpans().map(modelSpan)).toEqual([
        { type: 'CHAT_MODEL', model: 'deepseek-chat', provider: 'deepseek', usage },
        {
          type: 'CHAT_MODEL',
          model: 'meta-llama/Llama-3.1-8B-Instruct',
          provider: 'vllm',
          usage,
        },
      ]);
      expect(server.requests.map((r) => [r.path, r.headers.authorization])).toEqual([
        ['/v1/chat/completions', 'Bearer sk-deepseek-readme'],
        ['/v1/chat/completions', 'Bearer none'],
      ]);
    } finally {
      await app.close();
      await server.stop();
    }
  });
});
