export interface ErrorDescription {
  type: string;
  message: string;
  stack: string;
}

/** Reads what an `exception` event needs from anything that was thrown, without ever throwing. */
export function describeError(error: unknown): ErrorDescription {
  try {
    if (error instanceof Error) {
      return {
        type: error.constructor?.name || error.name || 'Error',
        message: String(error.message),
        stack: String(error.stack ?? ''),
      };
    }
    return { type: typeof error, message: safeString(error), stack: '' };
  } catch {
    return { type: 'Unknown', message: '[unreadable error]', stack: '' };
  }
}

function safeString(value: unknown): string {
  try {
    return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    return String(value);
  }
}
