import { NOT_SAMPLED, runWithActive } from '../../tracing/span-context';
import { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { startOwnedSpan } from '../../tracing/start-span';
import { observeIterator } from '../shared';
import { isJson } from './claude-agent-messages';
import { ClaudeAgentRun, CONVERSATION_SPAN } from './claude-agent-run';

/**
 * Traces the Claude Agent SDK's `query` (`@anthropic-ai/claude-agent-sdk`): returns a `query`
 * that records each conversation as MLflow's Python Claude Code integration does (an AGENT span
 * `claude_code_conversation` with the prompt and the result, token usage and cost; each model
 * turn an LLM span `llm` with the messages in Anthropic's format and its usage; each tool call a
 * TOOL span `tool_<name>` with its input and result), nested under the active `@Trace` span or
 * request, or as its own trace. The spans are built from the messages the query yields; the
 * returned object is the SDK's own `Query` (`interrupt()`, `setModel()`… work as before). The
 * package is never imported here.
 *
 * ```ts
 * const query = traceClaudeAgent(sdk.query);
 * ```
 */
export function traceClaudeAgent<Q extends (...args: never[]) => unknown>(query: Q): Q {
  if (typeof query !== 'function') {
    const got = query === null ? 'null' : typeof query;
    throw new TypeError(
      `traceClaudeAgent() needs the SDK's query function, e.g. traceClaudeAgent(query); got ${got}`,
    );
  }
  const traced = function (this: unknown, ...args: unknown[]): unknown {
    let span: SpanRecord | typeof NOT_SAMPLED | undefined;
    try {
      span = startOwnedSpan(CONVERSATION_SPAN, SpanType.AGENT, query);
    } catch {
      span = undefined;
    }
    if (span === undefined) return Reflect.apply(query, this, args);
    if (span === NOT_SAMPLED) return runWithActive(NOT_SAMPLED, query, this, args);
    const run = new ClaudeAgentRun(span);
    const params = args[0];
    const sent = isJson(params) ? [{ ...params, prompt: observePrompt(params.prompt, run) }] : args;
    let result: unknown;
    try {
      // Active while the SDK starts: `@Trace` methods its in-process tools and hooks call nest here.
      result = runWithActive(span, query, this, [...sent, ...args.slice(1)]);
    } catch (error) {
      run.finish(error);
      throw error;
    }
    return observeQuery(span, result, run);
  };
  Object.defineProperty(traced, 'name', { value: query.name });
  return traced as unknown as Q;
}

/** The prompt as the SDK gets it: a string recorded at once, a streamed input as it is read. */
function observePrompt(prompt: unknown, run: ClaudeAgentRun): unknown {
  if (typeof prompt === 'string') {
    run.prompt(prompt);
    return prompt;
  }
  const iterable = prompt as AsyncIterable<unknown> | null | undefined;
  if (typeof iterable?.[Symbol.asyncIterator] !== 'function') return prompt;
  return (async function* () {
    for await (const message of iterable) {
      run.prompt(message);
      yield message;
    }
  })();
}

/**
 * The SDK's `Query` with its iteration observed: `next`/`return`/`throw` go through the
 * recorder, every other member (`interrupt()`, `supportedModels()`…) is the SDK's own.
 */
function observeQuery(span: SpanRecord, result: unknown, run: ClaudeAgentRun): unknown {
  const source = result as AsyncIterator<unknown> | null | undefined;
  if (typeof source?.next !== 'function') {
    run.finish();
    return result;
  }
  const observed = observeIterator(span, source, {
    value: (message) => run.observe(message),
    end: (...failure) => run.finish(...failure),
  });
  const own: Record<PropertyKey, unknown> = {
    next: observed.next,
    // A loop that stops at the result has seen the whole conversation: not a cancelled one.
    return: (value?: unknown) => {
      run.finishAfterResult();
      return observed.return?.(value) ?? Promise.resolve({ done: true, value });
    },
    throw: observed.throw,
  };
  const proxy: object = new Proxy(source, {
    get(target, key) {
      if (key === Symbol.asyncIterator) return () => proxy;
      if (key in own) return own[key];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? (value as () => unknown).bind(target) : value;
    },
  });
  return proxy;
}
