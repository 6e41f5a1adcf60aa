import type { INestApplication } from '@nestjs/common';
import { TracingService } from '../../../lib';
import {
  attributes,
  realServerOptions,
  rootOf,
  spanNamed,
  storedTrace,
} from '../fixtures/mlflow-app';
import { graphql, startGraphqlApp, type GraphqlDriverName } from './fixtures/graphql-app';

const experimentName = `entry-graphql-${Date.now()}`;
const GET_ANSWER =
  'query GetAnswer($question: String!) { answer(question: $question) { text traceId } }';
const ASK = 'mutation Ask($question: String!) { ask(question: $question) { text traceId } }';

describe.each<GraphqlDriverName>(['apollo', 'mercurius'])(
  'GraphQL operations in a real MLflow server (%s)',
  (driver) => {
    let app: INestApplication;
    let url: string;

    beforeAll(async () => {
      ({ app, url } = await startGraphqlApp(realServerOptions(experimentName), driver));
    });
    afterAll(() => app.close());

    it('stores a query as one trace `query GetAnswer`: variables in, data out, the agent span nested, user from the headers', async () => {
      const { body, traceId } = await graphql(
        url,
        GET_ANSWER,
        { question: 'why?' },
        { 'x-user-id': 'dana', 'x-session-id': 'g-1' },
      );
      expect(body.data.answer.text).toBe('answer to why?');
      // The resolver's active trace is the one the response header names.
      expect(body.data.answer.traceId).toBe(traceId);
      await app.get(TracingService).flush();

      const trace = await storedTrace(traceId!, 2);
      expect(trace.trace_info.tags?.['mlflow.traceName']).toBe('query GetAnswer');
      expect(trace.trace_info.state).toBe('OK');
      expect(trace.trace_info.trace_metadata).toMatchObject({
        'mlflow.trace.user': 'dana',
        'mlflow.trace.session': 'g-1',
      });
      expect(trace.spans).toHaveLength(2);
      const root = rootOf(trace);
      expect(attributes(root)).toMatchObject({
        'mlflow.spanInputs': { question: 'why?' },
        'mlflow.spanOutputs': { data: body.data },
        'graphql.operation.type': 'query',
        'graphql.operation.name': 'GetAnswer',
      });
      expect(spanNamed(trace, 'AnswerAgent.answer').parent_span_id).toBe(root.span_id);
    });

    it('names a mutation `mutation Ask`, and records a failing operation as ERROR with its errors', async () => {
      const asked = await graphql(url, ASK, { question: 'how?' });
      const broken = await graphql(url, 'query Broken { broken }');
      expect(broken.body.errors?.[0].message).toBe('the model is down');
      await app.get(TracingService).flush();

      const mutation = await storedTrace(asked.traceId!, 2);
      expect(mutation.trace_info.tags?.['mlflow.traceName']).toBe('mutation Ask');
      expect(attributes(rootOf(mutation))['mlflow.spanOutputs']).toEqual({ data: asked.body.data });

      const failed = await storedTrace(broken.traceId!, 1);
      expect(failed.trace_info.tags?.['mlflow.traceName']).toBe('query Broken');
      expect(failed.trace_info.state).toBe('ERROR');
      const root = rootOf(failed);
      expect(root.status?.code).toBe('STATUS_CODE_ERROR');
      expect(attributes(root)['mlflow.spanOutputs']).toMatchObject({
        errors: [expect.objectContaining({ message: 'the model is down' })],
      });
    });

    it('keeps concurrent operations apart: each trace holds its own variables and nested span', async () => {
      const questions = Array.from({ length: 12 }, (_, index) => `q-${index}`);
      const results = await Promise.all(
        questions.map((question) =>
          graphql(url, GET_ANSWER, { question }, { 'x-user-id': question }),
        ),
      );
      await app.get(TracingService).flush();
      for (const [index, { body, traceId }] of results.entries()) {
        expect(body.data.answer.traceId).toBe(traceId);
        const trace = await storedTrace(traceId!, 2);
        expect(trace.spans).toHaveLength(2);
        expect(trace.trace_info.trace_metadata?.['mlflow.trace.user']).toBe(questions[index]);
        expect(attributes(spanNamed(trace, 'AnswerAgent.answer'))['mlflow.spanInputs']).toEqual({
          question: questions[index],
        });
      }
    });
  },
);
