// Cost of masking, off the request path (the export stage does it): a 1 MB trace and a typical
// chat request's trace, through MaskingService.maskTrace with the built-in rules.
// Run with `npm run bench` (builds dist/ first).
const path = require('node:path');
const { MaskingService } = require(path.join(__dirname, '..', 'dist'));

const masking = new MaskingService({ pseudonymKey: 'bench' });

const prose =
  'The quarterly report covers revenue, churn and support volume for the EMEA region. ' +
  'Contact the account owner at jane.doe@example.com or +44 20 7946 0958 for details; ' +
  'order 1234567890123456 shipped on 2024-01-15T10:30:00Z (trace 0af7651916cd43dd8448eb211c80319c). ';

function span(id, name, inputs, outputs) {
  return {
    traceIdHex: '0af7651916cd43dd8448eb211c80319c',
    spanIdHex: id.toString(16).padStart(16, '0'),
    parentSpanIdHex: id === 1 ? null : '0000000000000001',
    name,
    spanType: 'UNKNOWN',
    startTimeNs: 1n,
    endTimeNs: 2n,
    statusCode: 'OK',
    statusMessage: '',
    inputs,
    outputs,
    attributes: { 'mlflow.spanFunctionName': name },
    events: [],
  };
}

function trace(spans) {
  return {
    traceId: 'tr-0af7651916cd43dd8448eb211c80319c',
    traceIdHex: '0af7651916cd43dd8448eb211c80319c',
    rootSpan: spans[0],
    remoteParentSpanIdHex: null,
    spans,
    state: 'OK',
    droppedSpans: 0,
    requestTimeMs: 0,
    durationNs: 1n,
    user: 'jane.doe@example.com',
    session: 'conv-1',
    clientRequestId: undefined,
    requestPreview: undefined,
    responsePreview: undefined,
    requestPreviewSource: undefined,
    tags: {},
    metadata: {},
  };
}

// 100 retrieved documents of ~10 kB each (the default string limit), about 1 MB of text.
const documents = Array.from({ length: 100 }, (_, i) => ({
  id: `doc-${i}`,
  score: 0.5,
  text: prose.repeat(Math.floor(10_000 / prose.length)),
}));
const bigTrace = trace([span(1, 'POST /search', { body: { query: 'report' } }, { documents })]);
const megabytes = JSON.stringify(bigTrace.spans[0].outputs).length / 1e6;

const question = { role: 'user', content: 'My card 4111 1111 1111 1111 was charged twice, help!' };
const chatTrace = trace([
  span(
    1,
    'POST /chat/:conversationId',
    { params: { conversationId: 'c-1' }, body: { question: question.content } },
    { answer: 'Sorry to hear that. A refund is on its way.' },
  ),
  span(
    2,
    'Retriever.search',
    { query: question.content, topK: 3 },
    documents.slice(0, 3).map((d) => ({ id: d.id, text: prose })),
  ),
  span(
    3,
    'Llm.complete',
    { messages: [{ role: 'system', content: 'You are a support agent.' }, question] },
    { role: 'assistant', content: 'Sorry to hear that. A refund is on its way.' },
  ),
]);

function measure(label, fn, minMs = 1500) {
  for (let i = 0; i < 3; i++) fn();
  let runs = 0;
  const start = process.hrtime.bigint();
  let elapsedMs = 0;
  while (elapsedMs < minMs) {
    fn();
    runs++;
    elapsedMs = Number(process.hrtime.bigint() - start) / 1e6;
  }
  const perRunUs = (elapsedMs * 1000) / runs;
  console.log(
    `${label}: ${(1e6 / perRunUs).toFixed(0)} ops/s, ${perRunUs.toFixed(1)} µs per trace`,
  );
  return perRunUs;
}

console.log(`masking (Node ${process.versions.node})`);
const bigUs = measure(`1 MB trace (${megabytes.toFixed(2)} MB of inputs/outputs)`, () =>
  masking.maskTrace(bigTrace),
);
console.log(`  = ${(megabytes / (bigUs / 1e6)).toFixed(0)} MB/s`);
measure('typical chat request (3 spans, ~2 kB)', () => masking.maskTrace(chatTrace));
