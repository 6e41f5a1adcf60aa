import { readFileSync } from 'node:fs';
import { Body, Controller, Injectable, Post } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  MASKING_BUDGET_EXCEEDED,
  MASKING_FAILED,
  MASKING_TOO_DEEP,
  MaskingService,
  MlflowTracingModule,
  Trace,
  TraceRoute,
  type MaskingFunction,
} from '../../lib';
import { docCode } from '../fixtures/docs';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';
import { startApp, tracesAfter } from '../interceptor/fixtures/http-app';

// Every code block of the masking guide appears below, verbatim (up to whitespace),
// and runs with assertions on what it does.
const blocks = docCode('docs/masking.md');
const squash = (text: string) => text.replace(/\s+/g, '');

it('the masking guide has its code blocks, and each one is in this file', () => {
  expect(blocks).toHaveLength(6);
  const source = squash(readFileSync(__filename, 'utf8'));
  for (const block of blocks) expect(source).toContain(squash(block));
});

describe('docs/masking.md', () => {
  it('your own keys, patterns, replacement and pseudonym key', async () => {
    process.env.TRACE_PSEUDONYM_KEY = 'from-the-secret-store';
    const dynamicModule = MlflowTracingModule.forRoot({
      masking: {
        rules: { phoneNumber: false },
        keys: ['memberNumber', /^internal_/],
        patterns: [{ pattern: /ORD-\d{6}/g, replacement: 'ORD-******' }],
        replacement: '[hidden]',
        pseudonymKey: process.env.TRACE_PSEUDONYM_KEY,
      },
    });
    const moduleRef = await Test.createTestingModule({ imports: [dynamicModule] }).compile();
    const masking = moduleRef.get(MaskingService);
    expect(
      masking.mask({
        member_number: 123,
        internal_flag: true,
        text: 'ORD-123456 for ann@example.com, call +44 20 7946 0958',
      }),
    ).toEqual({
      member_number: '[hidden]',
      internal_flag: '[hidden]',
      text: 'ORD-****** for [hidden], call +44 20 7946 0958',
    });
    expect(masking.pseudonym('ann')).toBe(
      new MaskingService({ pseudonymKey: 'from-the-secret-store' }).pseudonym('ann'),
    );
    await moduleRef.close();
  });

  it('a custom rule sees the field and key path', async () => {
    const customerIds: MaskingFunction = (value, { field, keyPath }) =>
      field === 'inputs' && keyPath.includes('notes')
        ? value.replace(/ACME-\d+/g, '[customer]')
        : value;

    const tracing = MlflowTracingModule.forRoot({ masking: { custom: [customerIds] } });
    const moduleRef = await Test.createTestingModule({ imports: [tracing] }).compile();
    const value = { notes: ['ACME-7 called'], ref: 'ACME-8' };
    expect(moduleRef.get(MaskingService).mask(value, { field: 'inputs' })).toEqual({
      notes: ['[customer] called'],
      ref: 'ACME-8',
    });
    expect(moduleRef.get(MaskingService).mask(value, { field: 'outputs' })).toEqual(value);
    await moduleRef.close();

    // The same rule on a recorded trace: span inputs are `{ <parameter>: ... }`.
    const { app, exporter } = await bootWithMemoryExporter(
      { providers: [Crm] },
      { masking: { custom: [customerIds] } },
    );
    app.get(Crm).note({ notes: ['ACME-7 called'], ref: 'ACME-8' });
    expect(exporter.getSpans()[0].inputs).toEqual({
      record: { notes: ['[customer] called'], ref: 'ACME-8' },
    });
    expect(exporter.getSpans()[0].outputs).toBe('ACME-7 called');
    await app.close();
  });

  it('MaskingService in your own code: masking and the pseudonym to search with', async () => {
    @Injectable()
    class AuditLog {
      constructor(private readonly masking: MaskingService) {}

      record(event: object): string {
        return JSON.stringify(this.masking.mask(event));
      }

      /** The MLflow search filter for the traces of a user whose id is an e-mail. */
      userFilter(email: string): string {
        return `metadata.\`mlflow.trace.user\` = '${this.masking.pseudonym(email)}'`;
      }
    }

    const { app } = await bootWithMemoryExporter({ providers: [AuditLog] });
    const audit = app.get(AuditLog);
    expect(audit.record({ user: 'ann@example.com', password: 'x' })).toBe(
      '{"user":"[REDACTED]","password":"[REDACTED]"}',
    );
    expect(audit.userFilter('ann@example.com')).toMatch(
      /^metadata\.`mlflow\.trace\.user` = 'anon-[0-9a-f]{24}'$/,
    );
    await app.close();
  });

  it('capture functions on @Trace and @TraceRoute', async () => {
    class Assistant {
      @Trace({
        captureInputs: ({ question }) => ({ question }), // leave the uploaded file out
        captureOutputs: (answer) => answer.text,
      })
      answer(question: string, file: Buffer) {
        return { text: `Read ${file.length} bytes about ${question}`, tokens: 12 };
      }
    }

    @Controller('documents')
    class DocumentsController {
      @Post()
      @TraceRoute({ captureInputs: ({ body }) => ({ title: body.title }) })
      upload(@Body() body: { title: string; content: string }) {
        return { stored: body.title };
      }
    }

    const running = await startApp('express', {
      controllers: [DocumentsController],
      providers: [Assistant],
    });
    running.app.get(Assistant).answer('taxes', Buffer.alloc(10));
    await fetch(`${running.url}/documents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Q3', content: 'long text' }),
    });
    const [method, route] = await tracesAfter(running.exporter, 2);
    expect([method.rootSpan.inputs, method.rootSpan.outputs]).toEqual([
      { question: 'taxes' },
      'Read 10 bytes about taxes',
    ]);
    expect(route.rootSpan.inputs).toEqual({ title: 'Q3' });
    await running.app.close();
  });

  it('fails closed', () => {
    const masking = new MaskingService({
      custom: [
        () => {
          throw new Error('PII service unavailable');
        },
      ],
    });
    const masked = masking.mask({ note: 'call me' }); // { note: '[MASKING_FAILED]' }
    expect(masked).toEqual({ note: MASKING_FAILED });
    expect(masking.getStats().ruleFailures).toBe(1);
  });

  it('bounds the work: a budget per trace and a depth limit', async () => {
    const dynamicModule = MlflowTracingModule.forRoot({
      masking: { budgetPerTrace: 500_000, maxDepth: 32 },
    });
    const moduleRef = await Test.createTestingModule({ imports: [dynamicModule] }).compile();
    const masking = moduleRef.get(MaskingService);
    let deep: unknown = 'carol@example.com';
    for (let i = 0; i < 40; i++) deep = [deep];
    expect(JSON.stringify(masking.mask(JSON.stringify(deep)))).toContain(MASKING_TOO_DEEP);
    const long = { notes: 'x'.repeat(400_000), more: `${'y'.repeat(200_000)} carol@example.com` };
    const masked = masking.mask(long) as Record<string, string>;
    expect(Object.keys(masked)).toEqual(['notes', 'more']);
    expect(masked.more).toBe(MASKING_BUDGET_EXCEEDED);
    expect(masked.notes === long.notes).toBe(true);
    expect(masking.getStats()).toMatchObject({ budgetExceeded: 1, tooDeep: 1 });
    await moduleRef.close();
  });
});

@Injectable()
class Crm {
  @Trace()
  note(record: { notes: string[]; ref: string }) {
    return record.notes[0];
  }
}
