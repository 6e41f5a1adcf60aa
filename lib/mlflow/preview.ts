import type { JsonValue } from '../trace-model';
import { MlflowLimits } from './mlflow-keys';
import { pythonJsonDumps } from './python-json';

type JsonObject = { [key: string]: JsonValue };

/**
 * The request/response preview MLflow lists traces by: for chat-shaped values the text of the
 * last message of `role`, else the value's JSON, cut to 1000 chars (997 + `...`).
 */
export function buildPreview(
  value: JsonValue | undefined,
  role: 'user' | 'assistant',
): string | undefined {
  if (value === undefined) return undefined;
  const messages = chatMessages(value);
  const text = (messages && messageText(lastWithRole(messages, role))) || pythonJsonDumps(value);
  return truncatePreview(text);
}

export function truncatePreview(text: string): string {
  const max = MlflowLimits.PREVIEW_CHARS;
  return text.length <= max ? text : `${text.slice(0, max - 3)}...`;
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMessage(value: JsonValue): value is JsonObject {
  return isObject(value) && 'role' in value && 'content' in value;
}

/** The shapes MLflow recognises: `messages`, `choices[0].message`, Responses `input`/`output`, `request`. */
function chatMessages(value: JsonValue): JsonObject[] | undefined {
  if (!isObject(value)) return undefined;
  const fromList = (list: JsonValue | undefined) =>
    Array.isArray(list) && list.length > 0 ? list.filter(isMessage) : undefined;
  const choice =
    Array.isArray(value.choices) && isObject(value.choices[0])
      ? value.choices[0].message
      : undefined;
  const found =
    fromList(value.messages) ??
    (choice !== undefined && isMessage(choice) ? [choice] : undefined) ??
    fromList(value.input) ??
    fromList(value.output);
  if (found !== undefined) return found;
  return 'request' in value ? chatMessages(value.request) : undefined;
}

function lastWithRole(messages: JsonObject[], role: string): JsonObject | undefined {
  for (let i = messages.length - 1; i >= 0; i--) if (messages[i].role === role) return messages[i];
  return messages[messages.length - 1];
}

function messageText(message: JsonObject | undefined): string {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    for (const part of content) {
      if (typeof part === 'string') return part;
      if (
        isObject(part) &&
        (part.type === 'text' || part.type === 'output_text') &&
        typeof part.text === 'string'
      ) {
        return part.text;
      }
    }
  }
  return '';
}
