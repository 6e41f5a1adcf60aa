import { MlflowTracingConfigError } from './tracing-config.error';

/** The value, or a startup error naming the option and what it accepts. */
export function checkBoolean(option: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new MlflowTracingConfigError(option, `is ${JSON.stringify(value)}`, 'true or false');
  }
  return value;
}

export function checkText(option: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new MlflowTracingConfigError(option, `is ${JSON.stringify(value)}`, 'a non-empty string');
  }
  return value;
}

export function checkNumberAtLeast(option: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new MlflowTracingConfigError(
      option,
      `is ${JSON.stringify(value)}`,
      `a number of at least ${min}`,
    );
  }
  return value;
}

/** A startup error for a key the option does not have (`otel.registerGlobl`), naming the ones it has. */
export function checkKnownKeys(option: string, value: object, known: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new MlflowTracingConfigError(
        `${option}.${key}`,
        'is not an option',
        `${known.join(', ')}`,
      );
    }
  }
}
