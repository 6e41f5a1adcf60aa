import { nowMs } from '../../tracing/clock';
import { SpanRecord } from '../../tracing/span-record';
import { SpanType } from '../../tracing/span-type';
import { startSpan } from '../../tracing/start-span';
import type { TokenUsage } from '../../tracing/live-span.interface';
import { LlmAttribute, safely } from '../shared';
import {
  addUsage,
  contentBlocks,
  isJson,
  textOf,
  usageOf,
  type Json,
} from './claude-agent-messages';

/** The names `mlflow.claude_code` gives its spans. */
export const CONVERSATION_SPAN = 'claude_code_conversation';
const TURN_SPAN = 'llm';
const CLAUDE_CODE_VERSION = 'mlflow.claude_code_version';
/** Model name Claude Code puts on the assistant messages it makes up itself (an API error). */
const SYNTHETIC_MODEL = '<synthetic>';

/** One model turn: the assistant message with one id, which Claude Code streams block by block. */
interface Turn {
  readonly id: string;
  readonly span: SpanRecord | undefined;
  readonly content: Json[];
  /** Usage from the turn's assistant messages (as of the turn's start) and, with partial messages, its `message_delta`. */
  usage: Json;
  lastAt: number;
  failure: string | undefined;
}

/** The main loop, or a subagent's (keyed by the `Task` tool call that started it). */
interface Conversation {
  readonly parent: SpanRecord;
  readonly messages: Json[];
  turn: Turn | undefined;
}

/**
 * Turns the messages one `query()` yields into spans, as `mlflow.claude_code` builds them from
 * the Python SDK's messages: the conversation (AGENT), each model turn (LLM, Anthropic message
 * format), each tool call (TOOL) with its result. Never throws into the caller.
 */
export class ClaudeAgentRun {
  private readonly conversations = new Map<string, Conversation>();
  private readonly tools = new Map<string, SpanRecord>();
  private usage: TokenUsage | undefined;
  private result: Json | undefined;
  private failure: Error | undefined;
  private finished = false;

  constructor(private readonly root: SpanRecord) {
    this.conversations.set('', { parent: root, messages: [], turn: undefined });
  }

  /** A prompt the query was given: the string, or each user message of a streamed input. */
  prompt(prompt: unknown): void {
    safely(() => {
      const message = typeof prompt === 'string' ? { role: 'user', content: prompt } : null;
      const content = message?.content ?? (isJson(prompt) ? promptContent(prompt) : undefined);
      if (content === undefined) return;
      this.conversation('').messages.push({ role: 'user', content });
      if (this.root.inputs !== undefined) return;
      this.root.setInputs({ prompt: textOf(content) });
      // As in Python: the trace list shows the prompt itself, not `{"prompt": …}`.
      if (this.ownsTrace()) this.root.trace.requestPreview ??= textOf(content);
    });
  }

  /** Each message the query yields. */
  observe(message: unknown): void {
    if (this.finished || !isJson(message)) return;
    safely(() => this.record(message));
  }

  /** Ends the conversation when its result has come (the caller stops reading there). */
  finishAfterResult(): void {
    if (this.result !== undefined) this.finish();
  }

  /** Once, when the query's stream ends, is returned early or fails. */
  finish(...failure: [] | [unknown]): void {
    if (this.finished) return;
    this.finished = true;
    safely(() => {
      for (const conversation of this.conversations.values()) this.closeTurn(conversation);
      for (const span of this.tools.values()) span.end();
      this.tools.clear();
      if (this.usage !== undefined) this.root.setTokenUsage(this.usage);
      const result = this.result;
      if (result !== undefined) {
        const ok = result.subtype === 'success' && result.is_error !== true;
        const outputs: Json = { status: ok ? 'completed' : result.subtype };
        if (typeof result.result === 'string' && result.result !== '') {
          outputs.response = result.result;
          if (this.ownsTrace()) this.root.trace.responsePreview ??= result.result;
        }
        this.root.setOutputs(outputs);
      }
    });
    // The result's own error is the more precise: the SDK then throws a generic one.
    if (this.failure !== undefined) this.root.recordException(this.failure);
    else if (failure.length > 0) this.root.recordException(asError(failure[0]));
    this.root.end();
  }

  private record(message: Json): void {
    const key = typeof message.parent_tool_use_id === 'string' ? message.parent_tool_use_id : '';
    switch (message.type) {
      case 'system':
        if (message.subtype === 'init') this.init(message);
        return;
      case 'stream_event':
        return this.streamEvent(this.conversation(key), message.event);
      case 'assistant':
        return this.assistant(this.conversation(key), message);
      case 'user':
        return this.user(this.conversation(key), message);
      case 'result':
        return this.resultMessage(message);
    }
  }

  private init(message: Json): void {
    const trace = this.root.trace;
    if (typeof message.claude_code_version === 'string')
      trace.metadata[CLAUDE_CODE_VERSION] = message.claude_code_version;
    this.session(message.session_id);
  }

  /** With `includePartialMessages`: a turn opens at `message_start` and gets its final usage. */
  private streamEvent(conversation: Conversation, event: unknown): void {
    if (!isJson(event)) return;
    if (event.type === 'message_start' && isJson(event.message)) {
      this.closeTurn(conversation);
      const { id, model, usage } = event.message;
      if (typeof id === 'string') this.openTurn(conversation, id, model, usage);
    } else if (event.type === 'message_delta' && conversation.turn !== undefined) {
      if (isJson(event.usage)) Object.assign(conversation.turn.usage, event.usage);
      conversation.turn.lastAt = nowMs();
    } else if (event.type === 'message_stop' && conversation.turn !== undefined) {
      conversation.turn.lastAt = nowMs();
    }
  }

  private assistant(conversation: Conversation, message: Json): void {
    const body = isJson(message.message) ? message.message : {};
    const id = typeof body.id === 'string' ? body.id : String(message.uuid);
    if (conversation.turn?.id !== id) {
      this.closeTurn(conversation);
      this.openTurn(conversation, id, body.model, body.usage);
    }
    const turn = conversation.turn as Turn;
    const blocks = contentBlocks(body.content);
    turn.content.push(...blocks);
    turn.lastAt = nowMs();
    // A partial message's `message_delta` usage is final; an assistant message repeats the start's.
    if (isJson(body.usage)) turn.usage = { ...body.usage, ...turn.usage };
    if (message.error !== undefined || message.is_api_error_message === true)
      turn.failure = textOf(body.content) || String(message.error);
    for (const block of blocks) if (block.type === 'tool_use') this.startTool(conversation, block);
  }

  private user(conversation: Conversation, message: Json): void {
    this.closeTurn(conversation);
    if (message.isReplay === true) return;
    const body = isJson(message.message) ? message.message : {};
    const blocks = contentBlocks(body.content);
    if (blocks.length === 0) return;
    conversation.messages.push({ role: 'user', content: body.content });
    for (const block of blocks) if (block.type === 'tool_result') this.endTool(block);
  }

  private resultMessage(message: Json): void {
    for (const conversation of this.conversations.values()) this.closeTurn(conversation);
    this.result = message;
    const usage = usageOf(message.usage);
    if (usage !== undefined) this.usage = addUsage(this.usage, usage);
    this.session(message.session_id);
    const attributes: Json = {};
    for (const key of ['num_turns', 'duration_ms', 'total_cost_usd'])
      if (typeof message[key] === 'number') attributes[key] = message[key];
    this.root.setAttributes(attributes);
    if (message.subtype !== 'success' || message.is_error === true) {
      const errors = Array.isArray(message.errors) ? message.errors.join('; ') : '';
      const detail = typeof message.result === 'string' && message.result ? message.result : errors;
      const subtype = message.subtype === 'success' ? '' : String(message.subtype);
      this.failure = new Error([subtype, detail].filter(Boolean).join(': ') || 'error');
    }
  }

  private session(sessionId: unknown): void {
    if (typeof sessionId !== 'string') return;
    this.root.setAttribute('session_id', sessionId);
    // A conversation that is its own trace is a session in MLflow's sessions view, as in
    // Python; nested under a request, the request's session stays.
    if (this.ownsTrace()) this.root.trace.session ??= sessionId;
  }

  /** The conversation is a trace of its own (no `@Trace` span or request around it). */
  private ownsTrace(): boolean {
    return this.root.parent === undefined;
  }

  private openTurn(conversation: Conversation, id: string, model: unknown, usage: unknown): void {
    const span = child(conversation.parent, TURN_SPAN, SpanType.LLM);
    const modelName = typeof model === 'string' ? model : 'unknown';
    span?.setInputs({ model: modelName, messages: conversation.messages });
    span?.setAttributes({ model: modelName, [LlmAttribute.MESSAGE_FORMAT]: 'anthropic' });
    if (modelName !== 'unknown' && modelName !== SYNTHETIC_MODEL)
      span?.setAttributes({
        [LlmAttribute.MODEL]: modelName,
        [LlmAttribute.PROVIDER]: 'anthropic',
      });
    const start = isJson(usage) ? { ...usage } : {};
    conversation.turn = {
      id,
      span,
      content: [],
      usage: start,
      lastAt: nowMs(),
      failure: undefined,
    };
  }

  private closeTurn(conversation: Conversation): void {
    const turn = conversation.turn;
    if (turn === undefined) return;
    conversation.turn = undefined;
    conversation.messages.push({ role: 'assistant', content: turn.content });
    const span = turn.span;
    if (span === undefined) return;
    safely(() => {
      span.setOutputs({ type: 'message', role: 'assistant', content: turn.content });
      const usage = usageOf(turn.usage);
      if (usage !== undefined) span.setTokenUsage(usage);
    });
    if (turn.failure !== undefined) span.recordException(new Error(turn.failure));
    // The turn ended with its last block; what comes next (a tool's result) took its own time.
    if (span.statusCode === 'UNSET') span.statusCode = 'OK';
    span.closeAt(Math.min(turn.lastAt, nowMs()));
  }

  private startTool(conversation: Conversation, block: Json): void {
    const id = typeof block.id === 'string' ? block.id : undefined;
    if (id === undefined || this.tools.has(id)) return;
    const name = typeof block.name === 'string' ? block.name : 'unknown';
    const span = child(conversation.parent, `tool_${name}`, SpanType.TOOL);
    if (span === undefined) return;
    span.setInputs(block.input ?? {});
    span.setAttributes({ tool_name: name, tool_id: id });
    this.tools.set(id, span);
  }

  private endTool(block: Json): void {
    const id = block.tool_use_id;
    const span = typeof id === 'string' ? this.tools.get(id) : undefined;
    if (span === undefined) return;
    this.tools.delete(id as string);
    span.setOutputs({ result: block.content ?? '' });
    if (block.is_error === true) span.recordException(new Error(textOf(block.content)));
    span.end();
  }

  /** The main loop (`''`) or the subagent a `Task` tool call runs, nested under that call. */
  private conversation(key: string): Conversation {
    let conversation = this.conversations.get(key);
    if (conversation === undefined) {
      conversation = { parent: this.tools.get(key) ?? this.root, messages: [], turn: undefined };
      this.conversations.set(key, conversation);
    }
    return conversation;
  }
}

function child(parent: SpanRecord, name: string, spanType: string): SpanRecord | undefined {
  if (!parent.isRecording) return undefined;
  const span = startSpan(name, spanType, parent);
  return span instanceof SpanRecord ? span : undefined;
}

/**
 * An error as thrown, or one with its name, message and stack when it comes from another realm
 * (the SDK loaded outside a test sandbox), so the span still shows its message.
 */
function asError(value: unknown): unknown {
  if (value instanceof Error || !isJson(value) || typeof value.message !== 'string') return value;
  const error = new Error(value.message);
  if (typeof value.name === 'string') error.name = value.name;
  if (typeof value.stack === 'string') error.stack = value.stack;
  return error;
}

/** The content of an `SDKUserMessage` a streamed input yields. */
function promptContent(message: Json): unknown {
  const body = isJson(message.message) ? message.message : undefined;
  return body?.role === 'user' ? body.content : undefined;
}
