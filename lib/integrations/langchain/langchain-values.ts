import { isMessage, messageRecord } from './langchain-messages';

type Json = Record<string, unknown>;

/** Objects and arrays looked into per value; past these, the rest is recorded as it is. */
const MAX_VISITS = 1000;
const MAX_DEPTH = 8;

const isPlainObject = (value: object) => {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/** A `ChatPromptValue` (what a chat prompt template returns): its messages and a converter. */
const isChatPromptValue = (value: Json) =>
  Array.isArray(value.messages) && typeof value.toChatMessages === 'function';

/**
 * A chain's or tool's input or output with the LangChain messages and chat prompt values in
 * it (at any depth of plain objects and arrays) as MLflow's Python tracer stores them, their
 * fields and `type` (`{ messages }` for a prompt value), rather than in LangChain.js's
 * serialized-constructor form (`{ lc, type, id, kwargs }`). Anything else is left as it is.
 */
export function langChainValue(value: unknown): unknown {
  let visits = 0;
  const walk = (item: unknown, depth: number): unknown => {
    if (typeof item !== 'object' || item === null) return item;
    if (depth > MAX_DEPTH || ++visits > MAX_VISITS) return item;
    if (isMessage(item)) return messageRecord(item);
    if (isChatPromptValue(item as Json))
      return { messages: ((item as Json).messages as unknown[]).map((m) => walk(m, depth + 1)) };
    if (Array.isArray(item)) return item.map((element) => walk(element, depth + 1));
    if (!isPlainObject(item)) return item;
    return Object.fromEntries(
      Object.entries(item).map(([key, field]) => [key, walk(field, depth + 1)]),
    );
  };
  try {
    return walk(value, 0);
  } catch {
    // A getter that throws: the value as LangChain gave it, which the span's snapshot handles.
    return value;
  }
}
