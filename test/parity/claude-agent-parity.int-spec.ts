import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { traceClaudeAgent } from '../../lib';
import { runMlflowPython, type PythonTrace } from '../checks/mlflow-python';
import { CLAUDE_AGENT_SDKS, useFakeClaudeCode } from '../integrations/fixtures/claude-agent-sdks';
import { fakeClaudeCodeServer } from '../integrations/fixtures/fake-claude-code-server';
import { readTracesWithPython } from '../integrations/fixtures/read-traces';
import { newestRunnable } from '../integrations/fixtures/sdk-versions';
import {
  diffTrace,
  experimentId,
  matches,
  searchCounts,
  tree,
  type Deliberate,
} from './fixtures/compare-traces';
import { bootLibrarySide } from './fixtures/library-traces';
import { ensurePythonClaudeAgentSdk, nodeClaudeCodeCli } from './fixtures/python-claude-agent-sdk';

/** One query, sent the same way by `python-claude-agent-autolog.py` and by the library. */
interface Query {
  label: string;
  prompt: string;
}

const QUERIES: Query[] = [
  { label: 'tool call', prompt: 'Summarize notes.txt in one sentence.' },
  { label: 'answer only', prompt: 'Say hello' },
];
const ALLOWED_TOOLS = ['Read'];

const TOOL_CALL = ['tool call'];

/** The deliberate differences, each with its reason; each must still occur. */
const DELIBERATE: Deliberate[] = [
  {
    where: 'span[llm].outputs',
    calls: TOOL_CALL,
    reason:
      "a model turn is the one message the API answered, every block in it (here text and the `tool_use`); Claude Code hands the blocks over one by one, and Python's turn holds only its text blocks (a turn with no text gets no span at all)",
  },
  {
    where: 'span[llm#2].inputs',
    calls: TOOL_CALL,
    reason:
      "a turn's messages are the whole conversation the model was sent; Python's are only those since its previous text turn (here the tool call and its result, without the prompt)",
  },
  {
    where: 'span.attributes.mlflow.llm.provider',
    reason:
      "the provider is named on every model turn, as Python's `Messages.create` autolog does; its Claude Code integration leaves it out",
  },
  ...['span.attributes.mlflow.chat.tokenUsage', 'span.attributes.mlflow.llm.cost'].map((where) => ({
    where,
    reason:
      "each turn carries the usage Claude Code reports for it (and so a cost); Python's SDK integration records only the conversation's total, on the conversation span",
  })),
  {
    where: 'info.metadata.mlflow.trace.cost',
    reason: "the turns' costs added up; Python, with no usage on its turns, has none",
  },
  ...['session_id', 'num_turns', 'duration_ms', 'total_cost_usd'].map((key) => ({
    where: `span[claude_code_conversation].attributes.${key}`,
    reason:
      "the result message's session, number of turns, duration and cost (Claude Code's own figure), which Python's integration reads but does not record",
  })),
  {
    where: 'span[claude_code_conversation].attributes.session.id',
    reason:
      "the trace's session is also written on its root span as OpenTelemetry's `session.id`, as for every trace with a session",
  },
  {
    where: 'span[claude_code_conversation].attributes.mlflow.spanStartTimeNs',
    reason:
      "Python builds the spans once the conversation is over and backdates its start (now minus the result's `duration_ms`), which MLflow notes in this attribute; ours opens when the query starts",
  },
  {
    where: 'info.metadata.mlflow.claude_code_version',
    reason:
      "the Claude Code version from the SDK's init message; Python writes it only for traces of the Claude Code CLI (from its transcript)",
  },
  {
    where: 'info.metadata.mlflow.trace.working_directory',
    reason:
      "Python, written for Claude Code on a developer's machine, records its process's working directory; a server's is the same for every trace (the query's own `cwd` is in its options)",
  },
  ...['info.metadata.mlflow.traceInputs', 'info.metadata.mlflow.traceOutputs'].map((where) => ({
    where,
    reason:
      'legacy 250-character copies of the request and response Python still writes (its processor marks them for removal); the previews carry the same',
  })),
  {
    where: 'info.metadata.mlflow.source.name',
    reason: 'each process names its own entry script (here the Python script and jest)',
  },
  {
    where: 'info.metadata.service.name',
    reason: "the app's serviceName, kept as trace metadata as for every trace",
  },
];

/** Searches both experiments must answer with the same number of traces. */
const SEARCHES = [
  "span.name = 'claude_code_conversation'",
  "span.type = 'LLM'",
  "span.name = 'tool_Read'",
];

const SESSION = 'mlflow.trace.session';

/** Each side's CLI run has a session id of its own: where it is written, not its value. */
function withSessionPlaceholder(trace: PythonTrace): PythonTrace {
  const session = trace.info.trace_metadata[SESSION];
  if (session === undefined) return trace;
  const json = JSON.stringify(trace).replaceAll(JSON.stringify(session), '"<session>"');
  return JSON.parse(json) as PythonTrace;
}

describe("The same Claude Agent queries traced by MLflow's Python autolog and by the library", () => {
  // One fake API per side, so both see the same message and tool call ids.
  const servers = { python: fakeClaudeCodeServer(), ours: fakeClaudeCodeServer() };
  const stamp = Date.now();
  const names = { python: `claude-agent-python-${stamp}`, ours: `claude-agent-ours-${stamp}` };
  let app: INestApplication | undefined;
  let restore: (() => void) | undefined;
  let pairs: { query: Query; python: PythonTrace; ours: PythonTrace }[] = [];
  let differences: string[] = [];
  let searches: number[][] = [];

  beforeAll(async () => {
    await ensurePythonClaudeAgentSdk(process.env.MLFLOW_TEST_PYTHON!);
    const pythonUrl = await servers.python.start();
    const fake = useFakeClaudeCode(await servers.ours.start());
    restore = fake.restore;

    // Python: each prompt through a ClaudeSDKClient, on the CLI the Node SDK runs.
    const specFile = path.join(fake.cwd, 'queries.json');
    const env = {
      ANTHROPIC_BASE_URL: pythonUrl,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      CLAUDE_CONFIG_DIR: path.join(fake.cwd, '.claude-config-python'),
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      DISABLE_AUTOUPDATER: '1',
    };
    const spec = {
      cli_path: nodeClaudeCodeCli(),
      cwd: fake.cwd,
      env,
      allowed_tools: ALLOWED_TOOLS,
      prompts: QUERIES.map((query) => query.prompt),
    };
    writeFileSync(specFile, JSON.stringify(spec));
    const pythonIds = JSON.parse(
      await runMlflowPython(
        [
          path.join(__dirname, 'fixtures', 'python-claude-agent-autolog.py'),
          names.python,
          specFile,
        ],
        { timeoutMs: 180_000 },
      ),
    ) as string[];

    // The library: the same prompts through the traced `query`, each read to its end.
    const library = await bootLibrarySide(names.ours);
    app = library.app;
    const query = traceClaudeAgent(newestRunnable(CLAUDE_AGENT_SDKS).load().query);
    const ourIds: string[] = [];
    for (const { prompt } of QUERIES) {
      const options = { cwd: fake.cwd, allowedTools: ALLOWED_TOOLS };
      for await (const _ of query({ prompt, options })) void _;
      ourIds.push(await library.nextTraceId());
    }

    const [python, ours, counts] = await Promise.all([
      readTracesWithPython(pythonIds),
      readTracesWithPython(ourIds),
      searchCounts([await experimentId(names.python), await library.experiment()], SEARCHES),
    ]);
    searches = counts;
    pairs = QUERIES.map((query, i) => ({
      query,
      python: withSessionPlaceholder(python[i]),
      ours: withSessionPlaceholder(ours[i]),
    }));
    differences = [];
    for (const { query, python, ours } of pairs) diffTrace(query.label, python, ours, differences);
  }, 600_000);

  afterAll(async () => {
    await app?.close();
    restore?.();
    await Promise.all(Object.values(servers).map((server) => server.stop()));
  });

  it('records a conversation, its model turns and the tool call on both sides', () => {
    const [toolCall] = pairs;
    for (const trace of [toolCall.python, toolCall.ours])
      expect(tree(trace)).toEqual(
        expect.arrayContaining(['claude_code_conversation (AGENT)', '  tool_Read (TOOL)']),
      );
  });

  it('stores the same names, types, tree, attributes, inputs, outputs, token usage and trace info, but for the deliberate differences', () => {
    expect(differences.filter((d) => !DELIBERATE.some((entry) => matches(entry, d)))).toEqual([]);
  });

  it('lists only deliberate differences that really occur', () => {
    expect(DELIBERATE.filter((entry) => !differences.some((d) => matches(entry, d)))).toEqual([]);
  });

  it('finds as many traces with each search', () => {
    const counts = searches.map(([python, ours], i) => ({ filter: SEARCHES[i], python, ours }));
    expect(counts.filter(({ python }) => python === 0)).toEqual([]);
    expect(counts.filter(({ python, ours }) => python !== ours)).toEqual([]);
  });
});
