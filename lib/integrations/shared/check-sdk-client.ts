import { Logger } from '@nestjs/common';

/**
 * What `traceOpenAI(x)` / `traceAnthropic(x)` was given, checked before anything is patched: no
 * client at all (`undefined` from a missing provider, an API key string) is a TypeError, since the
 * app would otherwise crash later far from the cause. `wrapper` names the function, `example`
 * how to call it.
 */
export function checkSdkClient(wrapper: string, client: unknown, example: string): void {
  if ((typeof client === 'object' && client !== null) || typeof client === 'function') return;
  const got = client === null ? 'null' : typeof client;
  throw new TypeError(`${wrapper}() needs the SDK client object, e.g. ${example}; got ${got}`);
}

/**
 * An object that has none of the methods a wrapper traces (a config object, another SDK's
 * client) is handed back untouched, with one warning: its calls would otherwise go untraced
 * without a word.
 */
export function warnWhenNothingTraced(wrapper: string, traced: boolean, methods: string): void {
  if (traced) return;
  new Logger('MlflowTracing').warn(
    `${wrapper}() found none of ${methods} on the object it was given: nothing of it is traced. Pass the SDK client itself.`,
  );
}
