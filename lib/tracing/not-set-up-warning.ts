import { Logger } from '@nestjs/common';
import { isModuleSetUp } from './tracer-registry';

let warned = false;

/**
 * Says once per process that a `@Trace` method ran with no MlflowTracingModule set up, so
 * nothing is traced. Once per process, not per method: the cause and the fix are the same for
 * every method, and a large app would otherwise print one line per decorated method. Only
 * called when a call found no tracer, so it costs nothing while tracing is on.
 */
export function warnIfModuleNotSetUp(method: string): void {
  if (warned || isModuleSetUp()) return;
  warned = true;
  try {
    new Logger('MlflowTracing').warn(
      `@Trace on ${method} ran, but MlflowTracingModule is not set up in this process: nothing is traced. Import MlflowTracingModule.forRoot({...}) (or forRootAsync) in your root module.`,
    );
  } catch {
    // A failing logger must never reach the traced call.
  }
}
