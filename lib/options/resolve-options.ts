import { resolveMaskingOptions } from '../masking/resolve-masking-options';
import { DEFAULT_SERIALIZATION_LIMITS, type SerializationLimits } from '../serialization';
import { SpanType } from '../tracing/span-type';
import type { MlflowAuthOptions, MlflowTracingOptions } from './mlflow-tracing-options.interface';
import type { ResolvedTracingOptions } from './resolved-tracing-options';
import { MlflowTracingConfigError } from './tracing-config.error';
import { exportDefaults } from './export-defaults';
import { feedbackDefaults } from './feedback-defaults';
import { httpDefaults } from './http-defaults';
import { otelDefaults } from './otel-defaults';
import { entryPointDefaults } from './entry-point-defaults';
import { resolveOtlpOptions } from './otlp-defaults';
import { checkBoolean, checkText } from './option-checks';
import { versionDefaults } from './version-defaults';

type Env = Record<string, string | undefined>;

export const DEFAULT_TRACKING_URI = 'http://localhost:5000';

/** Applies MLflow's environment variables and defaults, and fails fast on anything unusable. */
export function resolveOptions(
  options: MlflowTracingOptions = {},
  env: Env = process.env,
): ResolvedTracingOptions {
  if (options === null || typeof options !== 'object') {
    throw new MlflowTracingConfigError(
      'options',
      `is ${String(options)}`,
      'an object (or nothing)',
    );
  }
  return {
    enabled: checkBoolean('enabled', options.enabled ?? true),
    trackingUri: checkUri(
      options.trackingUri ?? nonEmpty(env.MLFLOW_TRACKING_URI) ?? DEFAULT_TRACKING_URI,
    ),
    experiment: resolveExperiment(options, env),
    auth: resolveAuth(options.auth, env),
    sampleRatio: checkRatio(options.sampleRatio ?? ratioFromEnv(env.MLFLOW_TRACE_SAMPLING_RATIO)),
    defaultSpanType: checkText('defaultSpanType', options.defaultSpanType ?? SpanType.UNKNOWN),
    limits: resolveLimits(options.serialization),
    serviceName: checkText('serviceName', options.serviceName ?? 'nestjs-app'),
    export: exportDefaults(options.export, env),
    otlp: resolveOtlpOptions(options.otlp, env),
    exporter: checkExporter(options.exporter),
    http: httpDefaults(options.http),
    masking: resolveMaskingOptions(options.masking),
    otel: otelDefaults(options.otel),
    feedback: feedbackDefaults(options.feedback),
    entryPoints: entryPointDefaults(options.entryPoints),
    version: versionDefaults(options.version, env),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function checkUri(value: unknown): string {
  const accepted =
    'an http:// or https:// URL such as http://localhost:5000 (option trackingUri or env MLFLOW_TRACKING_URI)';
  const text = String(value).trim();
  if (
    !/^[a-z][a-z0-9+.-]*:\/\//i.test(text) &&
    URL.canParse(`http://${text}`) &&
    !/\s/.test(text)
  ) {
    throw new MlflowTracingConfigError(
      'trackingUri',
      `has no scheme (${JSON.stringify(value)}); write it with http:// or https://, e.g. "http://${text}"`,
      accepted,
    );
  }
  let url: URL;
  try {
    url = new URL(String(value));
  } catch {
    throw new MlflowTracingConfigError(
      'trackingUri',
      `is not a URL (${JSON.stringify(value)})`,
      accepted,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new MlflowTracingConfigError(
      'trackingUri',
      `uses ${url.protocol} (${JSON.stringify(value)})`,
      accepted,
    );
  }
  if (url.hash !== '' || url.search !== '') {
    throw new MlflowTracingConfigError(
      'trackingUri',
      `contains ${JSON.stringify(url.hash || url.search)} (${JSON.stringify(value)}), which looks like a link into the MLflow UI; use the server's address, e.g. "${url.origin}"`,
      accepted,
    );
  }
  return String(value).replace(/\/+$/, '');
}

function ratioFromEnv(value: string | undefined): number {
  if (nonEmpty(value) === undefined) return 1;
  const ratio = Number(value);
  if (!Number.isFinite(ratio)) {
    throw new MlflowTracingConfigError(
      'sampleRatio',
      `from env MLFLOW_TRACE_SAMPLING_RATIO is ${JSON.stringify(value)}`,
      'a number from 0 to 1',
    );
  }
  return ratio;
}

function checkRatio(value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new MlflowTracingConfigError(
      'sampleRatio',
      `is ${JSON.stringify(value)}`,
      'a number from 0 to 1',
    );
  }
  return value;
}

function resolveExperiment(
  options: MlflowTracingOptions,
  env: Env,
): ResolvedTracingOptions['experiment'] {
  if (options.experimentId !== undefined && options.experimentName !== undefined) {
    throw new MlflowTracingConfigError(
      'experimentId',
      'and experimentName are both set',
      'one of them',
    );
  }
  if (options.experimentId !== undefined)
    return { id: checkText('experimentId', options.experimentId) };
  if (options.experimentName !== undefined)
    return { name: checkText('experimentName', options.experimentName) };
  const id = nonEmpty(env.MLFLOW_EXPERIMENT_ID);
  if (id !== undefined) return { id };
  const name = nonEmpty(env.MLFLOW_EXPERIMENT_NAME);
  return name !== undefined ? { name } : undefined;
}

function resolveAuth(
  auth: MlflowAuthOptions | undefined,
  env: Env,
): ResolvedTracingOptions['auth'] {
  const accepted = '{ token } or { username, password } with non-empty strings';
  if (auth !== undefined) {
    if (auth === null || typeof auth !== 'object')
      throw new MlflowTracingConfigError('auth', `is ${String(auth)}`, accepted);
    if ('token' in auth) return { token: checkText('auth.token', auth.token) };
    return {
      username: checkText('auth.username', auth.username),
      password: checkText('auth.password', auth.password),
    };
  }
  const token = nonEmpty(env.MLFLOW_TRACKING_TOKEN);
  if (token !== undefined) return { token };
  const username = nonEmpty(env.MLFLOW_TRACKING_USERNAME);
  const password = env.MLFLOW_TRACKING_PASSWORD;
  if (username === undefined) return undefined;
  if (!password)
    throw new MlflowTracingConfigError(
      'auth.password',
      'is missing (env MLFLOW_TRACKING_PASSWORD) while MLFLOW_TRACKING_USERNAME is set',
      'both or neither',
    );
  return { username, password };
}

function resolveLimits(limits: Partial<SerializationLimits> | undefined): SerializationLimits {
  const resolved = { ...DEFAULT_SERIALIZATION_LIMITS, ...limits };
  for (const key of Object.keys(DEFAULT_SERIALIZATION_LIMITS) as (keyof SerializationLimits)[]) {
    const value = resolved[key];
    if (!Number.isInteger(value) || value < 1) {
      throw new MlflowTracingConfigError(
        `serialization.${key}`,
        `is ${JSON.stringify(value)}`,
        'a whole number of at least 1',
      );
    }
  }
  return resolved;
}

function checkExporter(exporter: unknown): ResolvedTracingOptions['exporter'] {
  if (exporter === undefined) return undefined;
  const candidate = exporter as Record<string, unknown>;
  if (
    typeof candidate?.export !== 'function' ||
    typeof candidate.forceFlush !== 'function' ||
    typeof candidate.shutdown !== 'function'
  ) {
    throw new MlflowTracingConfigError(
      'exporter',
      'does not implement TraceExporter',
      'an object with export, forceFlush and shutdown methods',
    );
  }
  return exporter as ResolvedTracingOptions['exporter'];
}
