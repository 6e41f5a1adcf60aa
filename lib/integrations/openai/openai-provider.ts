/**
 * OpenAI-compatible endpoints by host, named as MLflow's cost lookup (LiteLLM's provider names)
 * knows them, so the UI's cost column fills for their models. A host ending in `.<suffix>`
 * matches too (`my-resource.openai.azure.com`).
 */
const PROVIDER_HOSTS: [host: string, provider: string][] = [
  ['api.openai.com', 'openai'],
  ['openai.azure.com', 'azure'],
  ['cognitiveservices.azure.com', 'azure'],
  ['services.ai.azure.com', 'azure'],
  ['api.deepseek.com', 'deepseek'],
  ['api.groq.com', 'groq'],
  ['api.fireworks.ai', 'fireworks_ai'],
  ['api.together.xyz', 'together_ai'],
  ['api.mistral.ai', 'mistral'],
  ['generativelanguage.googleapis.com', 'gemini'],
  ['api.x.ai', 'xai'],
  ['openrouter.ai', 'openrouter'],
  ['api.perplexity.ai', 'perplexity'],
  ['api.anthropic.com', 'anthropic'],
];

/**
 * The provider a client's `baseURL` points at. Any other host (a LiteLLM proxy, vLLM, a local
 * stand-in) speaks OpenAI's API on behalf of models MLflow cannot place, and is recorded as
 * `openai`; `traceOpenAI(client, { provider })` names it instead.
 */
export function openAIProvider(baseURL: unknown): string {
  if (typeof baseURL !== 'string') return 'openai';
  let host: string;
  try {
    host = new URL(baseURL).hostname.toLowerCase();
  } catch {
    return 'openai';
  }
  for (const [known, provider] of PROVIDER_HOSTS)
    if (host === known || host.endsWith(`.${known}`)) return provider;
  return 'openai';
}
