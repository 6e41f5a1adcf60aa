import type { OtelBridgeOptions } from './otel-bridge-options.interface';
import { checkBoolean, checkKnownKeys } from './option-checks';
import { MlflowTracingConfigError } from './tracing-config.error';

export type ResolvedOtelOptions = Required<OtelBridgeOptions>;

export function otelDefaults(options: OtelBridgeOptions | undefined): ResolvedOtelOptions {
  if (options !== undefined && (options === null || typeof options !== 'object'))
    throw new MlflowTracingConfigError('otel', `is ${String(options)}`, 'an object (or nothing)');
  if (options) checkKnownKeys('otel', options, ['registerGlobal', 'exposeActiveSpan']);
  return {
    registerGlobal: checkBoolean('otel.registerGlobal', options?.registerGlobal ?? false),
    exposeActiveSpan: checkBoolean('otel.exposeActiveSpan', options?.exposeActiveSpan ?? false),
  };
}
