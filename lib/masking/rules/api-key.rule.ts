import type { ValueRule } from './value-rule.interface';

// One alternative per key family; each shape is specific enough not to hit ordinary words.
const SHAPES = [
  /sk-(?:proj-|ant-|svcacct-|or-v1-)?[A-Za-z0-9_-]{20,}/, // OpenAI, Anthropic, OpenRouter style
  /(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/, // Stripe secret and restricted keys
  /(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}/, // AWS access key ids
  /gh[pousr]_[A-Za-z0-9]{30,}/, // GitHub tokens
  /github_pat_[A-Za-z0-9_]{22,}/, // GitHub fine-grained tokens
  /xox[abposr]-[A-Za-z0-9-]{10,}/, // Slack tokens
  /AIza[0-9A-Za-z_-]{35}/, // Google API keys
  /hf_[A-Za-z0-9]{30,}/, // Hugging Face tokens
];

/** Well-known API key shapes, anywhere in a text. */
export const apiKeyRule: ValueRule = {
  name: 'apiKey',
  pattern: new RegExp(
    `(?<![A-Za-z0-9_-])(?:${SHAPES.map((shape) => shape.source).join('|')})(?![A-Za-z0-9_-])`,
    'g',
  ),
  hint: (text) => /sk|rk_|A[KSGINR][A-Z]{2}|gh|xox|AIza|hf_/.test(text),
};
