import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import type { INestApplication } from '@nestjs/common';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { StringOutputParser } from '@langchain/core/output_parsers';
import { RunnableSequence } from '@langchain/core/runnables';
import { FakeListChatModel } from '@langchain/core/utils/testing';
import { InMemoryTraceExporter, MlflowTracingModule } from '../../lib';
import { fakeAnthropicServer } from './fixtures/fake-anthropic-server';
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
