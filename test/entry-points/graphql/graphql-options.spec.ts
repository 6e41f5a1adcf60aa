import type { INestApplication } from '@nestjs/common';
import { InMemoryTraceExporter } from '../../../lib';
import { settle, tracesAfter } from '../../interceptor/fixtures/http-app';
import { graphql, startGraphqlApp } from './fixtures/graphql-app';

const GET_ANSWER = 'query GetAnswer($question: String!) { answer(question: $question) { text } }';

describe('GraphQL tracing options', () => {
  let app: INestApplication | undefined;
  afterEach(() => app?.close());

  it('`fieldSpans: true` adds a span per resolver call, between the operation and its @Trace spans', async () => {
    const exporter = new InMemoryTraceExporter();
    const started = await startGraphqlApp({
      exporter,
      entryPoints: { graphql: { fieldSpans: true } },
    });
    app = started.app;
    await graphql(started.url, GET_ANSWER, { question: 'q' });
    const [trace] = await tracesAfter(exporter, 1);
    const [root, field, agent] = trace.spans;
    expect([root.name, field.name, agent.name]).toEqual([
      'query GetAnswer',
      'Query.answer',
      'AnswerAgent.answer',
    ]);
    expect([field.parentSpanIdHex, agent.parentSpanIdHex]).toEqual([
      root.spanIdHex,
      field.spanIdHex,
    ]);
    expect(field.inputs).toEqual({ question: 'q' });
    expect(field.outputs).toEqual({ text: 'answer to q', traceId: trace.traceId });
  });

  it('`identify` reads user and session from the context value, validated like HTTP identity', async () => {
    const exporter = new InMemoryTraceExporter();
    const started = await startGraphqlApp({
      exporter,
      entryPoints: {
        graphql: { identify: () => ({ user: 'from-context', session: 'bad\u0000id' }) },
      },
    });
    app = started.app;
    await graphql(started.url, GET_ANSWER, { question: 'q' }, { 'x-user-id': 'from-header' });
    const [trace] = await tracesAfter(exporter, 1);
    expect([trace.user, trace.session]).toEqual(['from-context', undefined]);
  });

  it('`enabled: false` leaves the request to the HTTP trace, named after its path', async () => {
    const exporter = new InMemoryTraceExporter();
    const started = await startGraphqlApp({
      exporter,
      entryPoints: { graphql: { enabled: false } },
    });
    app = started.app;
    await graphql(started.url, GET_ANSWER, { question: 'q' });
    const [trace] = await tracesAfter(exporter, 1);
    await settle();
    expect(exporter.getTraces()).toHaveLength(1);
    expect(trace.spans.map((span) => span.name)).toEqual(['POST /graphql', 'AnswerAgent.answer']);
  });
});
