import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { OpenAI, OpenAIEmbedding } from '@llamaindex/openai';
import {
  getResponseSynthesizer,
  PromptTemplate,
  Settings,
  SummaryIndex,
  TextNode,
} from 'llamaindex';
import { z } from 'zod';
import {
  createMlflowAgentsProcessor,
  MlflowTracingModule,
  traceLlamaIndex,
  TracingService,
} from '../../lib';
import type { PythonTrace } from '../checks/mlflow-python';
import { STRANDS_SDKS } from '../integrations/fixtures/agent-framework-sdks';
import { FakeBedrockServer } from '../integrations/fixtures/fake-bedrock-server';
import { fakeOpenAIServer } from '../integrations/fixtures/fake-openai-server';
import { OPENAI_AGENTS_SDKS } from '../integrations/fixtures/openai-agents-sdks';
import { runsHere } from '../integrations/fixtures/sdk-versions';
import {
  compareWithPython,
  matches,
  traceWithPython,
  tracePerCall,
  tree,
  type Deliberate,
} from './fixtures/compare-traces';
import { ensurePythonOverlay, ensurePythonSdks, STRANDS_PYTHON_SDKS } from './fixtures/python-sdks';

type Framework = 'strands' | 'openai_agents' | 'llama_index';

/** One agent or query call, made the same way by `python-agent-autolog.py` and by the library. */
interface AgentCall {
  label: string;
  framework: Framework;
  /** `invoke` (Strands), `run` (OpenAI Agents), `chat` or `query` (LlamaIndex). */
  method: string;
  body: {
    model: string;
    input: string;
    name?: string;
    instructions?: string;
    /** Whether the agent has the `get_weather` tool. */
    tools?: boolean;
    /** `query`: the nodes of a summary index (text by id), and its question-answering prompt. */
    documents?: Record<string, string>;
    template?: string;
  };
}

const BEDROCK_MODEL = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const CALLS: AgentCall[] = [
  {
    label: 'llamaindex chat',
    framework: 'llama_index',
    method: 'chat',
    body: { model: 'gpt-4o-mini', input: 'What is LlamaIndex?' },
  },
  {
    label: 'llamaindex query',
    framework: 'llama_index',
    method: 'query',
    body: {
      model: 'gpt-4o-mini',
      input: 'Where is it sunny?',
      documents: { paris: 'Paris is sunny today.', rome: 'Rome is warm today.' },
      template: 'Context:\n{context_str}\nQuestion: {query_str}',
    },
  },
  {
    label: 'openai agent',
    framework: 'openai_agents',
    method: 'run',
    body: {
      model: 'gpt-4o-mini',
      name: 'Assistant',
      instructions: 'Be brief.',
      tools: true,
      input: 'Weather in Paris?',
    },
  },
  {
    label: 'strands agent',
    framework: 'strands',
    method: 'invoke',
    body: {
      model: BEDROCK_MODEL,
      name: 'Assistant',
      instructions: 'Be brief.',
      tools: true,
      input: 'Weather in Paris?',
    },
  },
];

const NODE_22 = `needs Node 22+, this is ${process.version}; runs in CI's Node 24 pass`;
/** Why a framework's calls do not run here, if they do not. */
const SKIPPED: Record<Framework, string | undefined> = {
  strands: runsHere(STRANDS_SDKS[0]) ? undefined : `${STRANDS_SDKS[0].label} ${NODE_22}`,
  openai_agents: runsHere(OPENAI_AGENTS_SDKS[0])
    ? undefined
    : `${OPENAI_AGENTS_SDKS[0].label} ${NODE_22}`,
  llama_index: undefined,
};
const RUN = CALLS.filter((call) => SKIPPED[call.framework] === undefined);

const LLAMAINDEX_QUERY = ['llamaindex query'];
const OPENAI_AGENT = ['openai agent'];
const STRANDS_AGENT = ['strands agent'];
const each = (wheres: string[], entry: Omit<Deliberate, 'where'>): Deliberate[] =>
  wheres.map((where) => ({ where, ...entry }));

/**
 * The deliberate differences, per framework, each with its reason (and a bullet in
 * docs/llm-sdks.md); each must still occur where its framework runs.
 */
const DELIBERATE: Record<Framework | 'all', Deliberate[]> = {
  all: [
    ...each(['info.metadata.mlflow.traceInputs', 'info.metadata.mlflow.traceOutputs'], {
      reason:
        'legacy 250-character copies of the request and response Python still writes; the previews carry the same',
    }),
    {
      where: 'info.metadata.mlflow.source.name',
      reason: 'each process names its own entry script (here the Python script and jest)',
    },
    {
      where: 'info.metadata.service.name',
      reason: "the app's serviceName, kept as metadata rather than as a tag on every trace",
    },
  ],
  llama_index: [
    ...each(['span[OpenAI.chat].outputs'], {
      reason:
        "LlamaIndex.TS's ChatResponse has no `additional_kwargs`; Python's OpenAI LLM copies the token counts there (they are in `raw.usage` and in the span's token usage)",
    }),
    {
      where: 'info.response_preview',
      calls: ['llamaindex chat'],
      reason: 'the same ChatResponse, as the preview of the chat call',
    },
    {
      where: 'span.attributes.invocation_params',
      reason:
        "the LLM's metadata as LlamaIndex.TS reports it (`contextWindow`, `topP`, `tokenizer`…); Python's has its own fields (`context_window`, `num_output`, `is_chat_model`…)",
    },
    {
      where: 'span.attributes.model_dict',
      reason:
        "LlamaIndex.TS has no serialized model config (Python's `model_dict` is `llm.to_dict()`); model and parameters are in `mlflow.llm.model` and `invocation_params`",
    },
    {
      where: 'tree',
      calls: LLAMAINDEX_QUERY,
      reason:
        'LlamaIndex.TS sends events for the query, the retrieval, the synthesis and the model call; Python also records every instrumented method inside them (`_query`, `_retrieve`, `get_response`, `split_text`, `predict`) and names retrieval and synthesis after their classes, which the events do not say',
    },
    ...each(['span[RetrieverQueryEngine.query].inputs', 'info.request_preview'], {
      calls: LLAMAINDEX_QUERY,
      reason:
        "the query as LlamaIndex.TS's `query({ query })` takes it; Python records its method's argument, `str_or_query_bundle`",
    }),
    ...each(['span[RetrieverQueryEngine.query].outputs', 'info.response_preview'], {
      calls: LLAMAINDEX_QUERY,
      reason:
        "the answer and its source nodes as MLflow documents (`page_content`, `metadata`, `id`), as a retrieval's; Python records the whole `Response` object",
    }),
  ],
  openai_agents: [
    {
      where: 'tree',
      calls: OPENAI_AGENT,
      reason:
        "the SDK's trace is the root span (`Agent workflow`, AGENT), where Python patches `AgentRunner.run` into a root of its own and keeps the SDK's task span as a CHAIN under it; a turn is `Turn <n> (<agent>)` (Python's tracer, older than turn spans, names it `Unknown`); a model call is one span, `Generation`, where Python's OpenAI autolog adds the SDK's own client call (`AsyncCompletions`) under it",
    },
    ...each(
      [
        'info.request_preview',
        'info.response_preview',
        'info.tags.mlflow.traceName',
        'span[Agent workflow].span_type',
        'span[Agent workflow].inputs',
        'span[Agent workflow].outputs',
        'span[Agent workflow].attributes.mlflow.spanType',
        'span[Agent workflow].attributes.mlflow.spanLogLevel',
      ],
      {
        calls: OPENAI_AGENT,
        reason:
          "a tracing processor does not see the run's input and answer: the trace's request and response are those of the span the run is called in (the `@Trace` method, the request); run on its own, `Agent workflow` records '' for both, as Python does for a trace it did not start",
      },
    ),
    ...each(['span[Assistant].outputs', 'span[Assistant].attributes.output_type'], {
      calls: OPENAI_AGENT,
      reason: "the agent's output type as the Node SDK names it (`text`; Python's SDK: `str`)",
    }),
    {
      where: 'span.attributes.model_config',
      calls: OPENAI_AGENT,
      reason:
        "the model settings the Node SDK reports (those set); Python's SDK reports the client's `base_url` when none are",
    },
    ...each(
      [
        'span.attributes.mlflow.chat.tokenUsage',
        'info.token_usage',
        'info.metadata.mlflow.trace.tokenUsage',
      ],
      {
        calls: OPENAI_AGENT,
        reason:
          'cache token counts only when the API reports them; Python’s SDK fills in 0 when it does not',
      },
    ),
  ],
  strands: [
    {
      where: 'tree',
      calls: STRANDS_AGENT,
      reason:
        "Strands TS names its loop cycle `execute_agent_loop_cycle` (Python's: `execute_event_loop_cycle`), and a span of no known kind is UNKNOWN, as MLflow types every span it starts; Python's Strands processor leaves it untyped",
    },
    ...each(['span.inputs', 'span[chat].outputs', 'span[chat#2].outputs', 'info.request_preview'], {
      calls: STRANDS_AGENT,
      reason:
        "messages as OpenTelemetry GenAI messages (`role`, `parts`: the system prompt first, the assistant's tool calls, the finish reason), which MLflow's chat view renders; Python keeps Strands's content blocks as they are, and only the user and tool messages",
    }),
    ...each(['span[invoke_agent Assistant].outputs', 'info.response_preview'], {
      calls: STRANDS_AGENT,
      reason: "the answer's text as Strands TS gives it; Python's Strands ends it with a newline",
    }),
    ...each(
      [
        'span.attributes.name',
        'span.attributes.gen_ai.agent.id',
        'span.attributes.system_prompt',
        'span.attributes.gen_ai.tool.description',
        'span.attributes.gen_ai.tool.json_schema',
        'span.events',
      ],
      {
        calls: STRANDS_AGENT,
        reason:
          "attributes and events as each SDK writes them: Strands TS adds `name`, `gen_ai.agent.id` and `system_prompt` to the agent span and sends no system message event; Strands Python adds the tool's description and schema",
      },
    ),
    {
      where: 'span.attributes.mlflow.spanLogLevel',
      calls: STRANDS_AGENT,
      reason:
        "every span has the log level of its type (INFO for agents, models and tools), as MLflow gives the spans it ends; Python's Strands processor ends them without one",
    },
    ...each(['info.tags.service.name', 'info.tags.service.instance.id'], {
      calls: STRANDS_AGENT,
      reason:
        "the Strands spans' OpenTelemetry resource does not become trace tags; Python's Strands autolog installs a tracer provider of its own, whose default resource (`unknown_service:python`, an instance id) the server turns into tags",
    }),
  ],
};
const RUNNING = (['all', 'llama_index', 'openai_agents', 'strands'] as const).filter(
  (framework) => framework === 'all' || SKIPPED[framework] === undefined,
);
const deliberate = RUNNING.flatMap((framework) => DELIBERATE[framework]);

/** Searches both experiments must answer with the same number of traces, per framework. */
const SEARCHES: Record<Framework | 'all', string[]> = {
  all: ["span.type = 'CHAT_MODEL'", "span.attributes.`mlflow.llm.model` LIKE '%gpt-4o-mini%'"],
  llama_index: [
    "span.name = 'OpenAI.chat'",
    "span.name = 'RetrieverQueryEngine.query'",
    "span.type = 'RETRIEVER'",
    "span.attributes.`mlflow.message.format` LIKE '%llamaindex%'",
  ],
  openai_agents: [
    "span.name = 'Generation'",
    "span.name = 'get_weather'",
    "span.attributes.`mlflow.message.format` LIKE '%openai-agent%'",
    "span.type = 'AGENT'",
    "span.type = 'TOOL'",
  ],
  strands: [
    "span.name = 'invoke_agent Assistant'",
    "span.name = 'execute_tool get_weather'",
    "span.attributes.`mlflow.llm.model` LIKE '%claude%'",
  ],
};
const SEARCH_FILTERS = RUNNING.flatMap((framework) => SEARCHES[framework]);

/** Makes the call with the Node framework, traced by the library. */
async function callWithLibrary(call: AgentCall, urls: { openai: string; bedrock: string }) {
  const { body } = call;
  if (call.framework === 'strands') {
    const strands = STRANDS_SDKS[0].load();
    const getWeather = strands.tool({
      name: 'get_weather',
      description: 'Weather of a city',
      inputSchema: z.object({ city: z.string() }),
      callback: ({ city }) => `sunny in ${city}`,
    });
    const agent = new strands.Agent({
      name: body.name,
      model: new strands.BedrockModel({
        modelId: body.model,
        region: 'us-east-1',
        clientConfig: {
          endpoint: urls.bedrock,
          credentials: { accessKeyId: 'AKIDFAKE', secretAccessKey: 'fake-secret' },
          maxAttempts: 1,
        },
      }),
      systemPrompt: body.instructions,
      tools: body.tools ? [getWeather] : [],
      printer: false,
    });
    await agent.invoke(body.input);
  } else if (call.framework === 'openai_agents') {
    const sdk = OPENAI_AGENTS_SDKS[0].load();
    const getWeather = sdk.tool({
      name: 'get_weather',
      description: 'Weather of a city',
      parameters: z.object({ city: z.string() }),
      execute: ({ city }) => Promise.resolve(`sunny in ${city}`),
    });
    const runner = new sdk.Runner({
      modelProvider: new sdk.OpenAIProvider({
        apiKey: 'sk-test',
        baseURL: urls.openai,
        useResponses: false,
      }),
    });
    const agent = new sdk.Agent({
      name: body.name!,
      model: body.model,
      instructions: body.instructions,
      tools: body.tools ? [getWeather] : [],
    });
    await runner.run(agent, body.input);
  } else {
    const llm = new OpenAI({ model: body.model, apiKey: 'sk-test', baseURL: urls.openai });
    Settings.llm = llm;
    // LlamaIndex.TS's default storage wants one, though a summary index embeds nothing.
    Settings.embedModel = new OpenAIEmbedding({ apiKey: 'sk-test', baseURL: urls.openai });
    if (call.method === 'chat')
      await llm.chat({ messages: [{ role: 'user', content: body.input }] });
    else {
      const nodes = Object.entries(body.documents!).map(
        ([id_, text]) => new TextNode({ text, id_ }),
      );
      const textQATemplate = new PromptTemplate({
        // LlamaIndex.TS names the variables `context` and `query` (Python: `context_str`, `query_str`).
        template: body
          .template!.replace('{context_str}', '{context}')
          .replace('{query_str}', '{query}') as `${string}{context}${string}{query}${string}`,
        templateVars: ['context', 'query'],
      });
      const index = await SummaryIndex.init({ nodes });
      const responseSynthesizer = getResponseSynthesizer('compact', { textQATemplate });
      await index.asQueryEngine({ responseSynthesizer }).query({ query: body.input });
    }
  }
}

describe("The same agents traced by MLflow's Python autolog and by the library", () => {
  const servers = { openai: fakeOpenAIServer(), bedrock: new FakeBedrockServer() };
  const stamp = Date.now();
  const names = { python: `agents-python-${stamp}`, ours: `agents-ours-${stamp}` };
  let app: INestApplication | undefined;
  let pairs: { call: AgentCall; python: PythonTrace; ours: PythonTrace }[] = [];
  let differences: string[] = [];
  /** Per search, the traces it finds: [Python's, ours]. */
  let counts: number[][] = [];

  beforeAll(async () => {
    const python = process.env.MLFLOW_TEST_PYTHON!;
    await ensurePythonSdks(python);
    // Strands pins OpenTelemetry a patch below the venv's MLflow: from an overlay, for this script only.
    const pythonPath =
      SKIPPED.strands === undefined
        ? await ensurePythonOverlay(python, 'strands', STRANDS_PYTHON_SDKS)
        : undefined;
    const urls = {
      openai: `${await servers.openai.start()}/v1`,
      bedrock: await servers.bedrock.start(),
    };

    // Python: each call with its framework's autolog on (botocore speaks HTTP/1.1 only).
    const pythonUrls = { ...urls, bedrock: await servers.bedrock.startHttp1() };
    const pythonIds = await traceWithPython(
      'python-agent-autolog.py',
      names.python,
      { urls: pythonUrls, calls: RUN },
      { pythonPath },
    );

    // The library: the same calls, each its own trace.
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRoot({
          trackingUri: process.env.MLFLOW_TEST_TRACKING_URI,
          experimentName: names.ours,
          otel: { registerGlobal: true },
        }),
      ],
    }).compile();
    app = await moduleRef.createNestApplication({ logger: false }).init();
    const tracing = app.get(TracingService);
    if (SKIPPED.openai_agents === undefined) {
      const sdk = OPENAI_AGENTS_SDKS[0].load();
      // The SDK switches its tracing off under NODE_ENV=test.
      sdk.setTracingDisabled(false);
      sdk.setTraceProcessors([createMlflowAgentsProcessor()]);
    }
    traceLlamaIndex(Settings);
    const ours = await tracePerCall(
      RUN,
      names.ours,
      () => tracing.flush(),
      (call) => callWithLibrary(call, urls),
    );
    ({ pairs, differences, counts } = await compareWithPython(
      RUN,
      { experimentName: names.python, traceIds: pythonIds },
      ours,
      SEARCH_FILTERS,
    ));
  }, 600_000);

  afterAll(async () => {
    if (SKIPPED.openai_agents === undefined) OPENAI_AGENTS_SDKS[0].load().setTraceProcessors([]);
    await app?.close();
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  });

  it('stores the same trees, types, attributes, inputs, outputs, usage, cost and trace info, but for the deliberate differences', () => {
    expect(differences.filter((d) => !deliberate.some((entry) => matches(entry, d)))).toEqual([]);
  });

  it('lists only deliberate differences that really occur', () => {
    expect(deliberate.filter((entry) => !differences.some((d) => matches(entry, d)))).toEqual([]);
  });

  const FRAMEWORKS: [Framework, string][] = [
    ['llama_index', 'a LlamaIndex chat call and query'],
    ['openai_agents', 'an OpenAI Agents run'],
    ['strands', 'a Strands Agents run'],
  ];
  for (const [framework, title] of FRAMEWORKS) {
    const skipped = SKIPPED[framework];
    (skipped === undefined ? it : it.skip)(
      `compares ${title}, model calls as CHAT_MODEL spans on both sides${skipped === undefined ? '' : ` (skipped: ${skipped})`}`,
      () => {
        const ran = pairs.filter(({ call }) => call.framework === framework);
        expect(ran.map(({ call }) => call.label)).toEqual(
          CALLS.filter((call) => call.framework === framework).map((call) => call.label),
        );
        for (const { python, ours } of ran)
          for (const trace of [python, ours]) {
            expect(trace.info.state).toBe('OK');
            expect(tree(trace).join('\n')).toContain('(CHAT_MODEL)');
          }
      },
    );
  }

  it.each(SEARCH_FILTERS.map((filter, i) => [filter, i] as const))(
    'finds as many traces for %s',
    (filter, i) => {
      const [python, ours] = counts[i];
      expect(python).toBeGreaterThan(0);
      expect({ filter, count: ours }).toEqual({ filter, count: python });
    },
  );
});
