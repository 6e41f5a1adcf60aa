// The guide's LangChain.js example, verbatim (docs/llm-sdks.md).
import { Inject, Injectable } from '@nestjs/common';
import type { Runnable } from '@langchain/core/runnables';
import { createMlflowCallbackHandler, SpanType, Trace } from '../../../lib';

export const RESEARCH_CHAIN = Symbol('RESEARCH_CHAIN');

@Injectable()
export class Researcher {
  private readonly mlflow = createMlflowCallbackHandler();

  constructor(
    @Inject(RESEARCH_CHAIN) private readonly chain: Runnable<{ question: string }, string>,
  ) {}

  @Trace(SpanType.AGENT)
  research(question: string): Promise<string> {
    return this.chain.invoke({ question }, { callbacks: [this.mlflow] });
  }
}
