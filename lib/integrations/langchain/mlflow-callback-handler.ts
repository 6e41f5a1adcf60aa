import { langChainCallbacks } from './langchain-callbacks';
import { OpenRuns } from '../shared/open-runs';

/**
 * What `createMlflowCallbackHandler()` returns: a `BaseCallbackHandler` of the app's own
 * `@langchain/core`, typed structurally so this library's types never require LangChain.
 * Pass it in `callbacks: [handler]` to a model, chain, tool or retriever (or its `invoke`).
 */
export interface MlflowCallbackHandler {
  readonly name: string;
  readonly awaitHandlers: boolean;
  /* eslint-disable @typescript-eslint/no-explicit-any -- LangChain's own signatures vary by version */
  handleChainStart(...args: any[]): unknown;
  handleChainEnd(...args: any[]): unknown;
  handleChatModelStart(...args: any[]): unknown;
  handleLLMEnd(...args: any[]): unknown;
  handleToolStart(...args: any[]): unknown;
  handleRetrieverStart(...args: any[]): unknown;
  /* eslint-enable @typescript-eslint/no-explicit-any */
}

type HandlerClass = new () => MlflowCallbackHandler;
let handlerClass: HandlerClass | undefined;

/**
 * A LangChain.js callback handler that records chains, chat models, LLMs, tools and
 * retrievers as MLflow spans (CHAIN, CHAT_MODEL, LLM, TOOL, RETRIEVER), nested by LangChain's
 * run ids and under the active `@Trace` span or request. Needs `@langchain/core` installed;
 * the class is built on first use, so the library does not depend on it.
 */
export function createMlflowCallbackHandler(): MlflowCallbackHandler {
  handlerClass ??= defineHandlerClass();
  return new handlerClass();
}

function defineHandlerClass(): HandlerClass {
  let base: { BaseCallbackHandler: new (input?: object) => object };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional peer, loaded on use
    base = require('@langchain/core/callbacks/base') as typeof base;
  } catch (error) {
    throw new Error(
      `createMlflowCallbackHandler() needs @langchain/core: install it in your app (${String(error)})`,
    );
  }
  class MlflowLangChainHandler extends base.BaseCallbackHandler {
    readonly name = 'mlflow_tracing';

    constructor() {
      // Handlers run in line with the run (not in LangChain's background queue), so a
      // top-level run starts where its caller's @Trace span is active, and in order.
      super({ _awaitHandler: true });
      Object.assign(this, langChainCallbacks(new OpenRuns(this)));
    }
  }
  return MlflowLangChainHandler as unknown as HandlerClass;
}
