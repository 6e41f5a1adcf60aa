import { MlflowTracingConfigError } from './tracing-config.error';

type Env = Record<string, string | undefined>;

/** Sending traces to an OpenTelemetry collector over OTLP/HTTP (protobuf). */
export interface OtlpExportOptions {
  /**
   * The collector's traces URL, used as is, e.g. `http://collector:4318/v1/traces`. Default:
   * env `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, else env `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`.
   */
  endpoint?: string;
  /** Headers sent with every request (auth). Default: env `OTEL_EXPORTER_OTLP_TRACES_HEADERS`, else `OTEL_EXPORTER_OTLP_HEADERS` (`k1=v1,k2=v2`). */
  headers?: Record<string, string>;
  /**
   * Also send to MLflow. Default: env `MLFLOW_TRACE_ENABLE_OTLP_DUAL_EXPORT`, else false: with a
   * collector configured, traces go to it alone, as MLflow's Python SDK does.
   */
  dualExport?: boolean;
}

export interface ResolvedOtlpOptions {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly dualExport: boolean;
}

/** `undefined` when no collector is configured (by option or environment). */
export function resolveOtlpOptions(
  options: OtlpExportOptions | undefined,
  env: Env,
): ResolvedOtlpOptions | undefined {
  const endpoint = options?.endpoint ?? endpointFromEnv(env);
  if (endpoint === undefined) return undefined;
  checkEndpoint(endpoint);
  const headerText = env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? env.OTEL_EXPORTER_OTLP_HEADERS;
  const dual = options?.dualExport ?? env.MLFLOW_TRACE_ENABLE_OTLP_DUAL_EXPORT;
  return {
    endpoint,
    headers: options?.headers ?? parseHeaders(headerText ?? ''),
    dualExport: dual === true || (typeof dual === 'string' && /^(true|1)$/i.test(dual.trim())),
  };
}

function endpointFromEnv(env: Env): string | undefined {
  const traces = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim();
  if (traces) return traces;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim();
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

function checkEndpoint(endpoint: string): void {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new MlflowTracingConfigError(
      'otlp.endpoint',
      `is ${JSON.stringify(endpoint)}`,
      'an http(s) URL such as http://collector:4318/v1/traces (or env OTEL_EXPORTER_OTLP_TRACES_ENDPOINT)',
    );
  }
}

/** The OTel format: `k1=v1,k2=v2`, keys and values URL-encoded. */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(',')) {
    const at = pair.indexOf('=');
    if (at <= 0) continue;
    const key = decodeURIComponent(pair.slice(0, at).trim());
    headers[key.toLowerCase()] = decodeURIComponent(pair.slice(at + 1).trim());
  }
  return headers;
}
