import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InMemoryTraceExporter, MlflowTracingModule, SpanType, Trace } from '../../lib';
import { docCode, expectBlockInFile } from '../fixtures/docs';

@Injectable()
class ChatService {
  @Trace(SpanType.AGENT)
  async answer(question: string) {
    return (await this.search(question, 3)).join(' ');
  }

  @Trace(SpanType.RETRIEVER)
  async search(query: string, topK: number): Promise<string[]> {
    return [`${query}:${topK}`];
  }
}

@Module({ providers: [ChatService] })
class ChatModule {}

describe('docs/testing.md', () => {
  it('shows the code this test runs', () => {
    expectBlockInFile(docCode('docs/testing.md', '# Testing your own app')[0], __filename);
  });

  it('records with the module only compiled, as the snippet is written (no init())', async () => {
    const exporter = new InMemoryTraceExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot({ exporter }), ChatModule],
    }).compile();
    // ... call your app ...
    await moduleRef.get(ChatService).answer('hi');
    expect(exporter.findSpan({ spanType: SpanType.RETRIEVER }).inputs).toEqual({
      query: 'hi',
      topK: 3,
    });
    expect(exporter.getTraces()[0].state).toBe('OK');
  });

  it('getTraces() gives plain snapshots: JSON.stringify works and matches the exported types', async () => {
    const exporter = new InMemoryTraceExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot({ exporter }), ChatModule],
    }).compile();
    await moduleRef.get(ChatService).answer('hi');
    const [trace] = exporter.getTraces();
    const json = JSON.parse(JSON.stringify(trace)) as Record<string, unknown>;
    expect(json.traceId).toBe(trace.traceId);
    expect(json.durationNs).toBe(trace.durationNs.toString());
    expect(typeof trace.durationNs).toBe('bigint');
    const spans = json.spans as Record<string, unknown>[];
    expect(spans.map((span) => span.name)).toEqual(['ChatService.answer', 'ChatService.search']);
    expect(spans[1].parentSpanIdHex).toBe(spans[0].spanIdHex);
    expect(Object.keys(trace.rootSpan).sort()).toEqual(Object.keys(spans[0]).sort());
    // A snapshot: what the app does later does not change it.
    expect(Object.getPrototypeOf(trace)).toBe(Object.prototype);
  });

  it('says why when nothing was recorded', () => {
    expect(() => new InMemoryTraceExporter().findSpan({ name: 'x' })).toThrow(
      /No trace was recorded\. Was the traced call awaited\?[\s\S]*Is this exporter passed as MlflowTracingModule\.forRoot\(\{ exporter \}\)/,
    );
  });

  it('asks whether the call was awaited when a test forgot to', async () => {
    const exporter = new InMemoryTraceExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot({ exporter }), ChatModule],
    }).compile();
    const pending = moduleRef.get(ChatService).answer('hi'); // not awaited
    expect(() => exporter.findSpan({ spanType: SpanType.RETRIEVER })).toThrow(
      /Was the traced call awaited\?/,
    );
    await pending;
    expect(exporter.findSpan({ spanType: SpanType.RETRIEVER }).inputs).toEqual({
      query: 'hi',
      topK: 3,
    });
  });
});
