import { Injectable } from '@nestjs/common';
import { SpanType, Trace } from '../../lib';

const DOCUMENTS = [
  'MLflow Tracing records the inputs, outputs and timing of every step of an LLM app.',
  'NestJS is a framework for building server-side Node.js applications.',
  'Spans nest: a request span holds the agent span, which holds retrieval and LLM calls.',
];

@Injectable()
export class RetrieverService {
  @Trace(SpanType.RETRIEVER)
  async search(query: string, topK = 2): Promise<{ text: string; score: number }[]> {
    const words = query.toLowerCase().split(/\W+/).filter(Boolean);
    return DOCUMENTS.map((text) => ({
      text,
      score: words.filter((w) => text.toLowerCase().includes(w)).length,
    }))
      .sort((a, b) => b.score - a.score)
      .slice(0, topK);
  }
}
