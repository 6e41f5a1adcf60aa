import { SpanType } from '../tracing/span-type';
import type { HttpTracingOptions } from './http-tracing-options.interface';
import type { ResolvedHttpOptions } from './resolved-tracing-options';
import { MlflowTracingConfigError } from './tracing-config.error';
import { checkBoolean, checkText } from './option-checks';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/i;

/** Fills the per-request tracing settings and fails fast on anything unusable. */
export function httpDefaults(options: HttpTracingOptions = {}): ResolvedHttpOptions {
  if (options === null || typeof options !== 'object') {
    throw new MlflowTracingConfigError('http', `is ${String(options)}`, 'an object (or nothing)');
  }
  return {
    autoInstrument: checkBoolean('http.autoInstrument', options.autoInstrument ?? true),
    exclude: checkExclude(options.exclude ?? []),
    spanType: checkText('http.spanType', options.spanType ?? SpanType.CHAIN),
    userHeader: checkHeader('http.userHeader', options.userHeader ?? 'x-user-id'),
    sessionHeader: checkHeader('http.sessionHeader', options.sessionHeader ?? 'x-session-id'),
    identify: checkFunction('http.identify', options.identify),
    requestIdHeader: checkHeader('http.requestIdHeader', options.requestIdHeader ?? 'x-request-id'),
    traceIdResponseHeader: checkHeader(
      'http.traceIdResponseHeader',
      options.traceIdResponseHeader ?? 'x-mlflow-trace-id',
    ),
    acceptTraceparent: checkAcceptTraceparent(options.acceptTraceparent ?? false),
    traceUnmatched: checkBoolean('http.traceUnmatched', options.traceUnmatched ?? false),
  };
}

/** Header names are compared lowercased, as Node hands them over. */
function checkHeader(option: string, value: unknown): string | false {
  if (value === false) return false;
  if (typeof value !== 'string' || !HEADER_NAME.test(value)) {
    throw new MlflowTracingConfigError(
      option,
      `is ${JSON.stringify(value)}`,
      'a header name such as "x-user-id", or false',
    );
  }
  return value.toLowerCase();
}

function checkFunction<T>(option: string, value: T | undefined): T | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new MlflowTracingConfigError(option, `is ${typeof value}`, 'a function (or nothing)');
  }
  return value;
}

function checkAcceptTraceparent(value: unknown): ResolvedHttpOptions['acceptTraceparent'] {
  if (typeof value === 'boolean' || typeof value === 'function')
    return value as ResolvedHttpOptions['acceptTraceparent'];
  throw new MlflowTracingConfigError(
    'http.acceptTraceparent',
    `is ${JSON.stringify(value)}`,
    'true, false or a function of the request',
  );
}

function checkExclude(value: unknown): (string | RegExp)[] {
  const accepted = 'an array of paths starting with "/" and RegExps';
  if (!Array.isArray(value))
    throw new MlflowTracingConfigError('http.exclude', `is ${JSON.stringify(value)}`, accepted);
  return value.map((entry, index) => {
    // A global or sticky RegExp keeps state between test() calls: it would skip every other match.
    if (entry instanceof RegExp) return new RegExp(entry.source, entry.flags.replace(/[gy]/g, ''));
    if (typeof entry === 'string' && entry.startsWith('/')) return entry;
    throw new MlflowTracingConfigError(
      `http.exclude[${index}]`,
      `is ${JSON.stringify(entry)}`,
      accepted,
    );
  });
}
