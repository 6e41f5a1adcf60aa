import { closest } from './edit-distance';
import { KNOWN_OPTION_KEYS } from './known-option-keys';

/**
 * One warning per option key the module does not read (a typo, or a key from a JSON config
 * such as `trackinguri`), naming the known key it most likely meant. Such a key is otherwise
 * silently ignored and its default used.
 */
export function unknownOptionWarnings(options: unknown): string[] {
  const warnings: string[] = [];
  for (const [parent, known] of Object.entries(KNOWN_OPTION_KEYS)) {
    const value = parent === '' ? options : (options as Record<string, unknown> | null)?.[parent];
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    for (const key of Object.keys(value)) {
      if (known.includes(key)) continue;
      const path = parent === '' ? key : `${parent}.${key}`;
      const guess = closest(key, known);
      warnings.push(
        `nestjs-mlflow-tracing: option "${path}" is not a known option and is ignored` +
          (guess !== undefined
            ? `; did you mean "${parent === '' ? guess : `${parent}.${guess}`}"?`
            : `; known options here: ${known.join(', ')}`),
      );
    }
  }
  return warnings;
}
