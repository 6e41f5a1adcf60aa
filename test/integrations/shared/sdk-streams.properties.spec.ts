import * as fc from 'fast-check';
import {
  drain,
  hostileClientsForFile,
  streamOf,
  type HostileClients,
  type Target,
} from '../fixtures/hostile-sdk-clients';

// Attacks on the stream accumulators that rebuild one response from its chunks: indices that
// are huge, negative, fractional or not numbers, a new choice or block on every chunk, tool
// call arguments that are enormous or deeply nested invalid JSON. Whatever the stream holds,
// reading it costs time linear in its length, the span ends OK, and what it records is cut to
// the serialization limits. Fixed seeds; timing ratios within one process, never wall-clock.

const SEED = 42;

/** The events one step of a stream makes, each SDK's way, putting `index` where it goes. */
type Step = (i: number, index: unknown) => unknown[];

/** Ollama streams whole tool calls, several to a chunk. */
const OLLAMA_TOOL_CALLS = Array.from({ length: 50 }, () => ({
  function: { name: 'f', arguments: {} },
}));

const openAIStep: Step = (i, index) => [
  {
    choices: [
      {
        index,
        delta: { content: 'x', tool_calls: [{ index, id: `c${i}`, function: { arguments: '{' } }] },
      },
    ],
  },
];

const STEPS: Record<string, Step> = {
  'openai chat stream': openAIStep,
  'groq stream': openAIStep,
  'openai responses stream': () => [{ type: 'response.output_text.delta', delta: 'x' }],
  'anthropic stream': (i, index) => [
    ...(i === 0 ? [{ type: 'message_start', message: { role: 'assistant', content: [] } }] : []),
    { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index, delta: { type: 'text_delta', text: 'x' } },
  ],
  'ollama chat stream': () => [{ message: { content: 'x', tool_calls: OLLAMA_TOOL_CALLS } }],
  'ollama generate stream': () => [{ response: 'x' }],
  'gemini stream': (_, index) => [
    {
      candidates: [{ index, content: { parts: [{ text: 'x' }, { functionCall: { name: 'f' } }] } }],
    },
  ],
  'mistral stream': (i, index) => [
    { choices: [{ index, delta: { content: 'x', toolCalls: [{ index, id: `c${i}` }] } }] },
  ],
  'bedrock ConverseStreamCommand': (_, index) => [
    { contentBlockDelta: { contentBlockIndex: index, delta: { text: 'x' } } },
    { contentBlockStart: { contentBlockIndex: index, start: { toolUse: { name: 'f' } } } },
  ],
  'bedrock InvokeModelWithResponseStreamCommand': (_, index) => [
    { type: 'content_block_delta', index, delta: { type: 'text_delta', text: 'x' } },
  ],
};

/** Every step of a stream `n` steps long; `index(i)` is where step i puts its content. */
function streamOfSteps(target: Target, n: number, index: (i: number) => unknown): unknown[] {
  const step = STEPS[target.name];
  const chunks: unknown[] = [];
  for (let i = 0; i < n; i++) chunks.push(...step(i, index(i)));
  return chunks.map((chunk) => target.frame?.(chunk) ?? chunk);
}

/**
 * Reads the traced stream of `chunks` to its end, as a caller does, and checks its one span
 * ended OK with outputs the limits cut short; the time the reading took, in nanoseconds.
 */
async function readChunks(clients: HostileClients, target: Target, chunks: unknown[]) {
  clients.exporter.reset();
  clients.answer({ chunks });
  const started = process.hrtime.bigint();
  const { got, error } = await drain(streamOf(await target.call()));
  const took = Number(process.hrtime.bigint() - started);
  expect(error).toBeUndefined();
  expect(got).toHaveLength(chunks.length);
  await new Promise((resolve) => setImmediate(resolve));
  const spans = clients.exporter.getSpans();
  expect(spans.map((span) => span.statusCode)).toEqual(['OK']);
  expect((JSON.stringify(spans[0].outputs) ?? '').length).toBeLessThan(2_000_000);
  return took;
}

describe('SDK stream accumulators under attack', () => {
  const booted = hostileClientsForFile();
  const streams = () => booted().targets.filter((target) => target.stream);
  const read = (target: Target, chunks: unknown[]) => readChunks(booted(), target, chunks);

  it('has a step for every traced stream', () => {
    expect(
      streams()
        .map((target) => target.name)
        .sort(),
    ).toEqual(Object.keys(STEPS).sort());
  });

  it('takes indices that are huge, negative, fractional or not numbers in its stride', async () => {
    const index = fc.oneof(
      fc.constantFrom(2 ** 32 - 2, 2 ** 32, 2 ** 31, 1e9, Number.MAX_SAFE_INTEGER, 1e308),
      fc.constantFrom(-1, -0, 0.5, NaN, Infinity, -Infinity),
      fc.constantFrom('0', '1', 'length', '__proto__', 'constructor', null, undefined, {}, []),
      fc.nat(5),
    );
    for (const target of streams()) {
      await fc.assert(
        fc.asyncProperty(fc.array(index, { minLength: 1, maxLength: 6 }), async (indices) => {
          const took = await read(
            target,
            streamOfSteps(target, indices.length, (i) => indices[i]),
          );
          expect(took / 1e6).toBeLessThan(1_000);
        }),
        { seed: SEED, numRuns: 30 },
      );
    }
  });

  it('cuts tool call arguments that are enormous or deeply nested JSON', async () => {
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    const arguments_ = [deep, deep.slice(1), '{"a":' + '"x'.repeat(600_000), '{}'.repeat(400_000)];
    const anthropic = (json: string) => [
      { type: 'message_start', message: { content: [] } },
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', input: {} } },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'input_json_delta', partial_json: json },
      },
    ];
    const openAI = (json: string) =>
      [json, json].map((part) => ({
        choices: [
          { index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: part } }] } },
        ],
      }));
    const converse = (json: string) =>
      [json, json].map((input) => ({
        contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input } } },
      }));
    const byTarget: Record<string, (json: string) => unknown[]> = {
      'anthropic stream': anthropic,
      'openai chat stream': openAI,
      'groq stream': openAI,
      'bedrock ConverseStreamCommand': converse,
    };
    for (const target of streams().filter((t) => byTarget[t.name] !== undefined))
      for (const json of arguments_) await read(target, byTarget[target.name](json));
  });
});

// ---------------------------------------------------------------------------------------------
// Linear work
// ---------------------------------------------------------------------------------------------

const SMALL = 400;
const LARGE = 10 * SMALL;
/** Linear work gives a ratio near 10 and quadratic near 100; three times linear is the bound. */
const MAX_RATIO = 10 * 3;

describe('SDK stream accumulators: work grows linearly with the stream', () => {
  const booted = hostileClientsForFile();

  // A new choice, block or tool call on every step: the accumulator's widest shape.
  const time = (target: Target, n: number) =>
    readChunks(
      booted(),
      target,
      streamOfSteps(target, n, (i) => i),
    );

  /**
   * Time at LARGE over time at SMALL, each the fastest of its rounds; a round is added while
   * the ratio is over the bound (noise only slows a run down, so more rounds bring a linear
   * ratio down, never a quadratic one).
   */
  async function growth(target: Target): Promise<number> {
    let small = Infinity;
    let large = Infinity;
    for (let round = 0; round < 6; round++) {
      small = Math.min(small, await time(target, SMALL));
      large = Math.min(large, await time(target, LARGE));
      if (round >= 1 && large / small < MAX_RATIO) break;
    }
    return large / small;
  }

  it.each(Object.keys(STEPS))('%s', async (name) => {
    const target = booted().targets.find((candidate) => candidate.name === name)!;
    expect(await growth(target)).toBeLessThan(MAX_RATIO);
  });
});
