import type { ValueRule } from './value-rule.interface';

// One alternative per key family, each a fixed prefix and a long body, specific enough not to
// hit ordinary words. Bodies are one character class each, so a match costs its own length.
const SHAPES = [
  /sk-(?:proj-|ant-|svcacct-|admin-|or-v1-)?[A-Za-z0-9_-]{20,}/, // OpenAI, Anthropic, OpenRouter
  /(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}/, // Stripe secret and restricted keys
  /(?:A3T[A-Z0-9]|AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[A-Z0-9]{16}/, // AWS key and principal ids
  /gh[pousr]_[A-Za-z0-9_]{30,}(?:\.[A-Za-z0-9_-]+)*/, // GitHub tokens (an App's may end in a JWT)
  /github_pat_[A-Za-z0-9_]{22,}/, // GitHub fine-grained tokens
  /gl(?:pat|ptt|dt|rt)-[A-Za-z0-9_-]{20,}/, // GitLab tokens
  /glc_[A-Za-z0-9+/]{32,}={0,2}/, // Grafana Cloud tokens
  /glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}/, // Grafana service account tokens
  /xox[abposr]-[A-Za-z0-9-]{10,}/, // Slack tokens
  /xapp-\d-[A-Za-z0-9-]{10,}/, // Slack app-level tokens
  /https:\/\/hooks\.slack\.com\/(?:services|workflows|triggers)\/[A-Za-z0-9_/-]{20,}/, // Slack webhooks
  /AIza[0-9A-Za-z_-]{35}/, // Google API keys
  /hf_[A-Za-z0-9]{30,}/, // Hugging Face tokens
  /SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}/, // SendGrid
  /shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}/, // Shopify
  /gsk_[A-Za-z0-9]{40,}/, // Groq
  /lin_api_[A-Za-z0-9]{40}/, // Linear
  /ntn_[A-Za-z0-9]{40,}/, // Notion
  /ops_eyJ[A-Za-z0-9+/=_-]{30,}/, // 1Password service accounts
  /hv[sbr]\.[A-Za-z0-9_-]{24,}/, // HashiCorp Vault
  /vc[pirak]_[A-Za-z0-9]{24,}/, // Vercel
  /dapi[a-f0-9]{32}(?:-\d)?/, // Databricks
  /dckr_pat_[A-Za-z0-9_-]{27,}/, // Docker Hub
  /figd_[A-Za-z0-9_-]{40,}/, // Figma
  /cf(?:k|ut|at)_[A-Za-z0-9]{40,}/, // Cloudflare
  /tskey-[a-z]+-[A-Za-z0-9-]{20,}/, // Tailscale
  /npm_[A-Za-z0-9]{36}/, // npm
  /pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}/, // PyPI
];
const SLACK_WEBHOOK = /^https:\/\/hooks\.slack\.com\/\w+\//;
// Every shape above starts with one of these letters: checked first, it skips most positions.
const FIRST_LETTERS = '(?=[AGSacdfghlnoprstvx])';
const BEFORE = '(?<![A-Za-z0-9_/+-])';
const AFTER = '(?![A-Za-z0-9_/+=-])';
const PREFIXED = new RegExp(
  `${FIRST_LETTERS}${BEFORE}(?:${SHAPES.map((shape) => shape.source).join('|')})${AFTER}`,
  'g',
);
// An AWS secret access key on its own: 40 characters of base64 (see `looksRandom`).
const BASE64_40 = new RegExp(`${BEFORE}[A-Za-z0-9/+]{40}${AFTER}`, 'g');

/** Well-known API key shapes, anywhere in a text. */
export const apiKeyRule: ValueRule = {
  name: 'apiKey',
  // Every shape is a word of 20 characters or more.
  hint: (_text, facts) => facts.longestWord >= 20,
  scan(text, { replacement }) {
    PREFIXED.lastIndex = 0;
    // A Slack webhook keeps its host, so the log still says where it was going.
    const masked = text.replace(
      PREFIXED,
      (match) => (SLACK_WEBHOOK.exec(match)?.[0] ?? '') + replacement,
    );
    BASE64_40.lastIndex = 0;
    return masked.replace(BASE64_40, (match) => (looksRandom(match) ? replacement : match));
  },
};

/**
 * 40 characters of base64 standing alone are an AWS secret access key when they look random:
 * upper and lower case and a digit, and many distinct characters (a path or a hex hash is not).
 */
function looksRandom(text: string): boolean {
  if (!/[A-Z]/.test(text) || !/[a-z]/.test(text) || !/\d/.test(text)) return false;
  return new Set(text).size >= 24;
}
