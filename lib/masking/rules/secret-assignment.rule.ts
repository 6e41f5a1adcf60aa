import type { ValueRule } from './value-rule.interface';

/**
 * `password=hunter2`, `api_key: abc`, `"token":"abc"` inside text (query strings, log lines,
 * error messages): the value goes, the name stays. `max_tokens=100` and `password reset` survive.
 */
export const secretAssignmentRule: ValueRule = {
  name: 'secretAssignment',
  pattern:
    /(?<![\w-])((?:password|passwd|pwd|secret|client[_-]?secret|token|access[_-]?token|refresh[_-]?token|api[_-]?key|access[_-]?key|private[_-]?key)\\?"?\s*[:=]\s*\\?"?)([^\s"'\\,;&}]+)/gi,
  hint: (text, facts) =>
    (text.includes('=') || text.includes(':')) && /pass|pwd|secret|token|key/.test(facts.lower),
  replace: (replacement, _match, name: string) => `${name}${replacement}`,
};
