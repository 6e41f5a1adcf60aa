import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

interface ChatRequest {
  model: string;
  messages: { role: string; content: string }[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
}

/**
 * An offline stand-in for OpenAI's Chat Completions endpoint, so the sample runs without an
 * API key: it answers deterministically, streams word by word over SSE, and reports usage.
 * It runs in the sample's own process and never keeps it alive (`unref`).
 */
export async function startStandInLlm(): Promise<{ baseURL: string; server: Server }> {
  const server = createServer((req, res) => {
    void readJson(req).then((body) => {
      if (req.url !== '/v1/chat/completions' || body === undefined) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `not served: ${req.url}` } }));
        return;
      }
      const question = body.messages.filter((m) => m.role === 'user').pop()?.content ?? '';
      const answer = `Here is what I found about "${question}".`;
      const usage = {
        prompt_tokens: Math.ceil(JSON.stringify(body.messages).length / 4),
        completion_tokens: answer.split(' ').length,
      };
      const totals = { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens };
      const head = {
        id: `chatcmpl-${Date.now()}`,
        created: Math.floor(Date.now() / 1000),
        model: body.model,
      };
      if (!body.stream) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            ...head,
            object: 'chat.completion',
            choices: [
              { index: 0, message: { role: 'assistant', content: answer }, finish_reason: 'stop' },
            ],
            usage: totals,
          }),
        );
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const send = (choices: unknown[], extra: object = {}) =>
        res.write(
          `data: ${JSON.stringify({ ...head, object: 'chat.completion.chunk', choices, ...extra })}\n\n`,
        );
      for (const word of answer.split(/(?= )/))
        send([{ index: 0, delta: { content: word }, finish_reason: null }]);
      send([{ index: 0, delta: {}, finish_reason: 'stop' }]);
      if (body.stream_options?.include_usage) send([], { usage: totals });
      res.end('data: [DONE]\n\n');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return { baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

async function readJson(req: IncomingMessage): Promise<ChatRequest | undefined> {
  let raw = '';
  for await (const chunk of req) raw += String(chunk);
  try {
    return JSON.parse(raw) as ChatRequest;
  } catch {
    return undefined;
  }
}
