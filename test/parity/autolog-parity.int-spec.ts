import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
} from '@aws-sdk/client-bedrock-runtime';
import { Mistral } from '@mistralai/mistralai';
import Groq from 'groq-sdk';
import {
  createMlflowCallbackHandler,
  MlflowTracingModule,
  traceAnthropic,
  traceBedrock,
  traceGemini,
  traceGroq,
  traceMistral,
  traceOpenAI,
  TracingService,
} from '../../lib';
import type { PythonTrace } from '../checks/mlflow-python';
import { ANTHROPIC_SDKS } from '../integrations/fixtures/anthropic-sdks';
import { fakeAnthropicServer } from '../integrations/fixtures/fake-anthropic-server';
import {
  FakeBedrockServer,
  fakeBedrockClientConfig,
} from '../integrations/fixtures/fake-bedrock-server';
import { fakeGeminiServer } from '../integrations/fixtures/fake-gemini-server';
import {
  fakeGroqServer,
  fakeMistralServer,
} from '../integrations/fixtures/fake-openai-compatible-server';
import { fakeOpenAIServer } from '../integrations/fixtures/fake-openai-server';
import { GEMINI_SDKS, geminiTestOptions } from '../integrations/fixtures/gemini-sdks';
import { LANGCHAIN_OPENAI } from '../integrations/fixtures/langchain-sdks';
import { OPENAI_SDKS } from '../integrations/fixtures/openai-sdks';
import { newestRunnable, runsHere } from '../integrations/fixtures/sdk-versions';
import {
  compareWithPython,
  matches,
  traceWithPython,
  tracePerCall,
  tree,
  type CompareOptions,
  type Deliberate,
} from './fixtures/compare-traces';
import { callWithLangChain, type LangChainBody } from './fixtures/langchain-calls';
import { ensurePythonSdks } from './fixtures/python-sdks';

type Sdk = 'openai' | 'anthropic' | 'gemini' | 'bedrock' | 'mistral' | 'groq' | 'langchain';

/** One SDK call, made the same way by Python (keyword arguments) and by the library. */
interface Call {
  label: string;
  sdk: Sdk;
  /**
   * The Python client's method (`chat.completions.create`, `models.generate_content`,
   * `converse`); the Node SDK's is its camelCase (Bedrock: the command of that name). LangChain:
   * the construct around `ChatOpenAI` (`invoke`, `stream`, `bind_tools`, `chain`, `graph`).
   */
  method: string;
  /**
   * Python's keyword arguments; the Node SDKs of Gemini and Mistral take them in camelCase.
   * LangChain: a `LangChainBody`.
   */
  body: Record<string, unknown>;
}

const question = (text: string) => [{ role: 'user', content: text }];
const weather = {
  name: 'get_weather',
  description: 'Weather of a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } } },
};
const weatherTool = { type: 'function', function: weather };
const GEMINI_MODEL = 'gemini-2.5-flash';
const BEDROCK_MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const bedrockQuestion = (text: string) => [{ role: 'user', content: [{ text }] }];

/** Every SDK call both Python's autolog and the library trace. */
const SDK_CALLS: Call[] = [
  {
    label: 'openai chat',
    sdk: 'openai',
    method: 'chat.completions.create',
    body: {
      model: 'gpt-4o-mini',
      messages: question('What is MLflow?'),
      temperature: 0.2,
      max_tokens: 64,
    },
  },
  {
    label: 'openai chat streamed',
    sdk: 'openai',
    method: 'chat.completions.create',
    body: {
      model: 'gpt-4o-mini',
      messages: question('Stream a haiku'),
      stream: true,
      stream_options: { include_usage: true },
    },
  },
  {
    label: 'openai chat with tools',
    sdk: 'openai',
    method: 'chat.completions.create',
    body: {
      model: 'gpt-4o-mini',
      messages: question('Weather in Paris?'),
      tools: [weatherTool],
      tool_choice: 'auto',
    },
  },
  {
    label: 'openai responses',
    sdk: 'openai',
    method: 'responses.create',
    body: { model: 'gpt-4o-mini', input: 'Say hello', instructions: 'Be brief.' },
  },
  {
    label: 'openai embeddings',
    sdk: 'openai',
    method: 'embeddings.create',
    body: { model: 'text-embedding-3-small', input: 'vectors please' },
  },
  {
    label: 'anthropic',
    sdk: 'anthropic',
    method: 'messages.create',
    body: {
      model: 'claude-3-5-haiku-20241022',
      max_tokens: 100,
      messages: question('Hello Claude'),
    },
  },
  {
    label: 'anthropic streamed',
    sdk: 'anthropic',
    method: 'messages.create',
    body: {
      model: 'claude-3-5-haiku-20241022',
      max_tokens: 100,
      stream: true,
      messages: question('Stream to me'),
    },
  },
  {
    label: 'gemini',
    sdk: 'gemini',
    method: 'models.generate_content',
    body: {
      model: GEMINI_MODEL,
      contents: 'What is Gemini?',
      config: { temperature: 0.2, max_output_tokens: 64 },
    },
  },
  {
    label: 'gemini with tools',
    sdk: 'gemini',
    method: 'models.generate_content',
    body: {
      model: GEMINI_MODEL,
      contents: 'Weather in Paris?',
      config: {
        tools: [
          {
            function_declarations: [
              {
                name: weather.name,
                description: weather.description,
                parameters_json_schema: weather.parameters,
              },
            ],
          },
        ],
      },
    },
  },
  {
    label: 'bedrock converse',
    sdk: 'bedrock',
    method: 'converse',
    body: {
      modelId: BEDROCK_MODEL,
      messages: bedrockQuestion('What is Bedrock?'),
      inferenceConfig: { maxTokens: 64, temperature: 0.2 },
    },
  },
  {
    label: 'bedrock converse streamed',
    sdk: 'bedrock',
    method: 'converse_stream',
    body: { modelId: BEDROCK_MODEL, messages: bedrockQuestion('Stream from Bedrock') },
  },
  {
    label: 'bedrock converse with tools',
    sdk: 'bedrock',
    method: 'converse',
    body: {
      modelId: BEDROCK_MODEL,
      messages: bedrockQuestion('Weather in Paris?'),
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: weather.name,
              description: weather.description,
              inputSchema: { json: weather.parameters },
            },
          },
        ],
      },
    },
  },
  {
    label: 'mistral',
    sdk: 'mistral',
    method: 'chat.complete',
    body: {
      model: 'mistral-small-latest',
      messages: question('What is Mistral?'),
      temperature: 0.2,
      max_tokens: 64,
    },
  },
  {
    label: 'mistral with tools',
    sdk: 'mistral',
    method: 'chat.complete',
    body: {
      model: 'mistral-small-latest',
      messages: question('Weather in Paris?'),
      tools: [weatherTool],
      tool_choice: 'auto',
    },
  },
  {
    label: 'groq',
    sdk: 'groq',
    method: 'chat.completions.create',
    body: {
      model: 'llama-3.3-70b-versatile',
      messages: question('What is Groq?'),
      temperature: 0.2,
      max_tokens: 64,
    },
  },
  {
    label: 'groq with tools',
    sdk: 'groq',
    method: 'chat.completions.create',
    body: {
      model: 'llama-3.3-70b-versatile',
      messages: question('Weather in Paris?'),
      tools: [weatherTool],
      tool_choice: 'auto',
    },
  },
];

const chatOpenAI = { model: 'gpt-4o-mini', temperature: 0.2, max_tokens: 64 };
const langChain = (label: string, method: string, body: LangChainBody): Call => ({
  label,
  sdk: 'langchain',
  method,
  body: body as unknown as Record<string, unknown>,
});
/**
 * The same LangChain constructs run by `mlflow.langchain.autolog()` and by the library's callback
 * handler, each around a ChatOpenAI (`@langchain/openai` needs Node 22+: not run on Node 20).
 */
const LANGCHAIN_RUNS = runsHere(LANGCHAIN_OPENAI[0]);
const LANGCHAIN_CALLS: Call[] = [
  langChain('langchain chat model', 'invoke', { model: chatOpenAI, input: 'What is LangChain?' }),
  langChain('langchain chain', 'chain', {
    model: chatOpenAI,
    prompt: [
      ['system', 'Answer in one line.'],
      ['human', '{question}'],
    ],
    input: { question: 'What is a chain?' },
  }),
  langChain('langchain streamed', 'stream', {
    model: { model: 'gpt-4o-mini', stream_usage: true },
    input: 'Stream a limerick',
  }),
  langChain('langchain with tools', 'bind_tools', {
    model: { model: 'gpt-4o-mini' },
    tools: [weatherTool],
    input: 'Weather in Paris?',
  }),
  langChain('langgraph', 'graph', { model: chatOpenAI, input: { question: 'What is LangGraph?' } }),
];
const CALLS = [...SDK_CALLS, ...(LANGCHAIN_RUNS ? LANGCHAIN_CALLS : [])];

/**
 * The one list of differences between Python's autolog and the library that are deliberate,
 * each with its reason. `where` is the path the comparison reports (`span.attributes.<key>`,
 * `span.outputs`, `info.metadata.<key>`…); `calls` limits it to some calls (all by default).
 * Every entry must still occur: one that no longer does fails the test, so the list (and the
 * docs built from it) stays true.
 */
const callsOf = (...sdks: Sdk[]) =>
  CALLS.filter((call) => sdks.includes(call.sdk)).map((call) => call.label);
const DELIBERATE: Deliberate[] = [
  {
    where: 'span.attributes.mlflow.llm.provider',
    calls: callsOf('openai', 'mistral'),
    reason:
      "the provider is named on every SDK span; Python's OpenAI and Mistral autologs leave it out (its Anthropic, Gemini, Bedrock and Groq autologs write it)",
  },
  ...[
    'span.attributes.mlflow.chat.tokenUsage',
    'span.attributes.mlflow.llm.cost',
    'info.token_usage',
    'info.metadata.mlflow.trace.tokenUsage',
    'info.metadata.mlflow.trace.cost',
  ].map((where) => ({
    where,
    calls: ['openai embeddings', 'anthropic streamed'],
    reason:
      'token usage (and so cost) of embeddings and of Anthropic streams is recorded; Python records none',
  })),
  ...['span.outputs', 'span.events', 'info.response_preview'].map((where) => ({
    where,
    calls: ['anthropic streamed'],
    reason:
      'an Anthropic stream is recorded in full (the message rebuilt, one event per chunk); Python stores "<anthropic.Stream object at 0x…>"',
  })),
  ...['span.outputs', 'info.response_preview'].map((where) => ({
    where,
    calls: callsOf('gemini'),
    reason:
      "the response as the Node SDK returns it, without the HTTP response headers (`sdk_http_response`) and the empty `automatic_function_calling_history` Python's SDK adds; Python's preview, which also lists every unset field as null, is cut at 1,000 characters",
  })),
  {
    where: 'info.request_preview',
    calls: ['gemini with tools'],
    reason:
      "Python's preview of a typed `GenerateContentConfig` lists every unset field as null and is cut at 1,000 characters; ours holds the whole request",
  },
  ...['span.outputs', 'info.response_preview'].map((where) => ({
    where,
    calls: ['bedrock converse', 'bedrock converse with tools'],
    reason:
      "the response as the Node SDK returns it: its `$metadata` (status, request id, attempts) where boto3's has `ResponseMetadata` (with the HTTP headers)",
  })),
  {
    where: 'span.outputs',
    calls: ['openai responses'],
    reason:
      'the Response as the Node SDK returns it, with its `output_text` convenience field (a property, not a field, in Python)',
  },
  ...['info.metadata.mlflow.traceInputs', 'info.metadata.mlflow.traceOutputs'].map((where) => ({
    where,
    reason:
      'legacy 250-character copies of the request and response Python still writes (its processor marks them for removal); the request and response previews carry the same',
  })),
  {
    where: 'info.metadata.mlflow.source.name',
    reason: 'each process names its own entry script (here the Python script and jest)',
  },
  {
    where: 'info.metadata.service.name',
    reason:
      "the app's serviceName, kept as metadata: as a resource attribute the server makes it a trace tag, shown first in every row of the UI's trace list",
  },
];

/** The deliberate differences of the LangChain calls, listed where those calls run. */
const LANGCHAIN_DELIBERATE: Deliberate[] = [
  ...['_type', 'model_name', 'max_completion_tokens', 'max_tokens'].map((key) => ({
    where: `span.attributes.invocation_params.${key}`,
    calls: callsOf('langchain'),
    reason:
      "the invocation params LangChain.js's ChatOpenAI reports: `max_tokens` as it sends it, where Python's sends `max_completion_tokens`, and no `_type` or `model_name`",
  })),
  ...['versions', 'lc_versions'].map((key) => ({
    where: `span.attributes.metadata.${key}`,
    calls: callsOf('langchain'),
    reason:
      "the run metadata LangChain.js passes names its packages' versions `versions` (Python's: `lc_versions`)",
  })),
  {
    where: 'span[respond].attributes.metadata.checkpoint_ns',
    calls: ['langgraph'],
    reason: "LangGraph.js passes a node run's `checkpoint_ns` in its metadata too",
  },
  {
    where: 'tree',
    calls: ['langgraph'],
    reason:
      "LangGraph.js reports the graph's `__start__` step as a run of its own; Python's does not",
  },
  {
    where: 'span.attributes.options.tools',
    calls: ['langchain with tools'],
    reason:
      'LangChain.js passes bound tools as call options, so they show in `options` as well as in `invocation_params`',
  },
  ...[
    'span[RunnableSequence].outputs',
    'span[StrOutputParser].outputs',
    'info.response_preview',
  ].map((where) => ({
    where,
    calls: ['langchain chain'],
    reason:
      "LangChain.js hands callbacks a chain's plain (non-object) output as `{ output }` (and input as `{ input }`); Python's passes it as it is",
  })),
  {
    where: 'span[StrOutputParser].inputs',
    calls: ['langchain chain'],
    reason:
      "the AIMessage as LangChain.js builds it: the response's id as its id (Python's LangChain makes one from the run id), and its own `response_metadata` fields (`tokenUsage`, `usage` where Python's has `token_usage` and the response `id`)",
  },
  {
    where: 'span.events',
    calls: ['langchain streamed'],
    reason:
      "one `new_token` event per token callback LangChain.js makes; Python's LangChain makes one more (an empty token) for the same stream",
  },
];
if (LANGCHAIN_RUNS) DELIBERATE.push(...LANGCHAIN_DELIBERATE);

/** Searches both experiments must answer with the same number of traces. */
const SEARCHES = [
  "span.attributes.model LIKE '%gpt-4o-mini%'",
  "span.attributes.temperature LIKE '%0.2%'",
  "span.attributes.tools LIKE '%get_weather%'",
  "span.attributes.stream LIKE '%true%'",
  "span.attributes.tool_choice LIKE '%auto%'",
  "span.attributes.`mlflow.llm.model` LIKE '%gpt-4o-mini%'",
  "span.type = 'CHAT_MODEL'",
  "span.type = 'EMBEDDING'",
  "span.name = 'Completions'",
  "span.name = 'Messages.create'",
  "span.type = 'LLM'",
  "span.name = 'Models.generate_content'",
  "span.name = 'BedrockRuntime.converse_stream'",
  "span.name = 'Chat.complete'",
  "span.attributes.`mlflow.llm.model` LIKE '%gemini%'",
  "span.attributes.`mlflow.chat.tools` LIKE '%get_weather%'",
  "span.attributes.`mlflow.message.format` LIKE '%bedrock%'",
  ...(LANGCHAIN_RUNS
    ? [
        "span.name = 'ChatOpenAI'",
        "span.name = 'RunnableSequence'",
        "span.name = 'LangGraph'",
        "span.type = 'CHAIN'",
        "span.attributes.`mlflow.message.format` LIKE '%langchain%'",
      ]
    : []),
];

/** LangChain's run arguments: objects compared key by key. */
const COMPARE: CompareOptions = { attributesByKey: ['invocation_params', 'options', 'metadata'] };

const camelCase = (name: string) => name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());

/** `max_output_tokens` → `maxOutputTokens` at every depth (the calls' own data has no `_`). */
function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [camelCase(key), camelCaseKeys(item)]),
  );
}

/** Makes `call` with the Node SDK's client, reading a stream to its end. */
async function callWithNodeSdk(client: object, call: Call): Promise<void> {
  if (call.sdk === 'langchain') return (client as (call: Call) => Promise<void>)(call);
  const camel = call.sdk === 'gemini' || call.sdk === 'mistral';
  const body = (camel ? camelCaseKeys(call.body) : call.body) as Record<string, unknown>;
  let stream: AsyncIterable<unknown> | undefined;
  if (call.sdk === 'bedrock') {
    const bedrock = client as BedrockRuntimeClient;
    if (call.method === 'converse') await bedrock.send(new ConverseCommand(body as never));
    else stream = (await bedrock.send(new ConverseStreamCommand(body as never))).stream;
  } else {
    const keys = call.method.split('.').map(camelCase);
    const owner = keys.slice(0, -1).reduce<any>((at, key) => at[key], client); // eslint-disable-line @typescript-eslint/no-explicit-any
    const result = await owner[keys[keys.length - 1]](body);
    if (body.stream === true) stream = result as AsyncIterable<unknown>;
  }
  if (stream !== undefined) for await (const _ of stream) void _;
}

describe("The same calls traced by MLflow's Python autolog and by the library", () => {
  const servers = {
    openai: fakeOpenAIServer(),
    anthropic: fakeAnthropicServer(),
    gemini: fakeGeminiServer(GEMINI_MODEL),
    bedrock: new FakeBedrockServer(),
    mistral: fakeMistralServer(),
    groq: fakeGroqServer(),
  };
  const stamp = Date.now();
  const names = { python: `autolog-python-${stamp}`, ours: `autolog-ours-${stamp}` };
  let app: INestApplication | undefined;
  let pairs: { call: Call; python: PythonTrace; ours: PythonTrace }[] = [];
  let differences: string[] = [];
  /** Per search, the traces it finds: [Python's, ours]. */
  let counts: number[][] = [];

  beforeAll(async () => {
    await ensurePythonSdks(process.env.MLFLOW_TEST_PYTHON!);
    const urls: Record<Exclude<Sdk, 'langchain'>, string> = {
      openai: `${await servers.openai.start()}/v1`,
      anthropic: await servers.anthropic.start(),
      gemini: await servers.gemini.start(),
      bedrock: await servers.bedrock.start(),
      mistral: await servers.mistral.start(),
      groq: await servers.groq.start(),
    };

    // Python: the calls with every SDK's autolog on (botocore speaks HTTP/1.1 only).
    const pythonUrls = { ...urls, bedrock: await servers.bedrock.startHttp1() };
    const pythonIds = await traceWithPython('python-autolog.py', names.python, {
      urls: pythonUrls,
      calls: CALLS,
    });

    // The library: the same calls on traced clients, each its own trace.
    const OpenAI = newestRunnable(OPENAI_SDKS).load().default;
    const Anthropic = newestRunnable(ANTHROPIC_SDKS).load().default;
    const { GoogleGenAI } = newestRunnable(GEMINI_SDKS).load();
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: names.ours,
        }),
      ],
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
    const tracing = app.get(TracingService);
    const handler = createMlflowCallbackHandler();
    const clients: Record<Sdk, object> = {
      openai: traceOpenAI(new OpenAI({ apiKey: 'sk-test', baseURL: urls.openai, maxRetries: 0 })),
      anthropic: traceAnthropic(
        new Anthropic({ apiKey: 'sk-test', baseURL: urls.anthropic, maxRetries: 0 }),
      ),
      gemini: traceGemini(new GoogleGenAI(geminiTestOptions(urls.gemini))),
      bedrock: traceBedrock(new BedrockRuntimeClient(fakeBedrockClientConfig(urls.bedrock))),
      mistral: traceMistral(new Mistral({ apiKey: 'test', serverURL: urls.mistral })),
      groq: traceGroq(new Groq({ apiKey: 'test', baseURL: urls.groq, maxRetries: 0 })),
      langchain: (call: Call) =>
        callWithLangChain(
          LANGCHAIN_OPENAI[0].load(),
          urls.openai,
          call.method,
          call.body as unknown as LangChainBody,
          handler,
        ),
    };
    const ours = await tracePerCall(
      CALLS,
      names.ours,
      () => tracing.flush(),
      (call) => callWithNodeSdk(clients[call.sdk], call),
    );

    ({ pairs, differences, counts } = await compareWithPython(
      CALLS,
      { experimentName: names.python, traceIds: pythonIds },
      ours,
      SEARCHES,
      COMPARE,
    ));
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  });

  it('stores the same names, types, tree, attributes, inputs, outputs, token usage and trace info, but for the deliberate differences', () => {
    expect(differences.filter((d) => !DELIBERATE.some((entry) => matches(entry, d)))).toEqual([]);
  });

  (LANGCHAIN_RUNS ? it : it.skip)(
    `compares LangChain's runs too${LANGCHAIN_RUNS ? '' : ` (skipped: @langchain/openai needs Node 22+, this is ${process.version}; runs in CI's Node 24 pass)`}`,
    () => {
      const langChain = pairs.filter(({ call }) => call.sdk === 'langchain');
      expect(langChain.map(({ call }) => call.label)).toEqual(LANGCHAIN_CALLS.map((c) => c.label));
      for (const { python, ours } of langChain)
        for (const trace of [python, ours])
          expect(tree(trace).join('\n')).toContain('ChatOpenAI (CHAT_MODEL)');
    },
  );

  it('lists only deliberate differences that really occur', () => {
    const unused = DELIBERATE.filter((entry) => !differences.some((d) => matches(entry, d)));
    expect(unused).toEqual([]);
  });

  it.each(SEARCHES.map((filter, i) => [filter, i] as const))(
    'finds as many traces for %s',
    (filter, i) => {
      const [python, ours] = counts[i];
      expect(python).toBeGreaterThan(0);
      expect({ filter, count: ours }).toEqual({ filter, count: python });
    },
  );
});
