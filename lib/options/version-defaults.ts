import { checkBoolean, checkKnownKeys, checkText } from './option-checks';
import type { VersionOptions } from './version-options.interface';
import { MlflowTracingConfigError } from './tracing-config.error';

type Env = Record<string, string | undefined>;

/** The app's version as configured: nothing, a LoggedModel id, a name, or the git state. */
export type ResolvedVersion =
  | { readonly kind: 'id'; readonly id: string }
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'git'; readonly name: string | undefined }
  | undefined;

/** Characters MLflow refuses in a LoggedModel name (`_validate_logged_model_name`). */
const BAD_NAME_CHARS = ['/', ':', '.', '%', '"', "'"];

/**
 * The `version` option, else env `MLFLOW_ACTIVE_MODEL_ID` (MLflow's, and its older
 * `_MLFLOW_ACTIVE_MODEL_ID`), else env `MLFLOW_ACTIVE_MODEL_NAME`. `false` turns versions off.
 */
export function versionDefaults(
  options: VersionOptions | false | undefined,
  env: Env = process.env,
): ResolvedVersion {
  if (options === false) return undefined;
  if (options === undefined) {
    const id = nonEmpty(env.MLFLOW_ACTIVE_MODEL_ID) ?? nonEmpty(env._MLFLOW_ACTIVE_MODEL_ID);
    if (id !== undefined) return { kind: 'id', id };
    const name = nonEmpty(env.MLFLOW_ACTIVE_MODEL_NAME);
    return name === undefined ? undefined : { kind: 'name', name: checkName(name, true) };
  }
  if (options === null || typeof options !== 'object') {
    throw new MlflowTracingConfigError(
      'version',
      `is ${String(options)}`,
      '{ name }, { id } or { git: true } (or false)',
    );
  }
  checkKnownKeys('version', options, ['name', 'id', 'git']);
  const git = checkBoolean('version.git', options.git ?? false);
  if (options.id !== undefined) {
    if (options.name !== undefined || git) {
      throw new MlflowTracingConfigError(
        'version.id',
        `is set together with version.${git ? 'git' : 'name'}`,
        'an id alone, or a name and/or git',
      );
    }
    return { kind: 'id', id: checkText('version.id', options.id).trim() };
  }
  const name = options.name === undefined ? undefined : checkName(options.name, false);
  if (git) return { kind: 'git', name };
  if (name !== undefined) return { kind: 'name', name };
  throw new MlflowTracingConfigError(
    'version',
    'names no version',
    '{ name }, { id } or { git: true } (or false)',
  );
}

function checkName(value: unknown, fromEnv: boolean): string {
  const option = 'version.name';
  const text = checkText(option, value).trim();
  const bad = BAD_NAME_CHARS.filter((char) => text.includes(char));
  if (bad.length > 0) {
    throw new MlflowTracingConfigError(
      option,
      `${fromEnv ? '(env MLFLOW_ACTIVE_MODEL_NAME) ' : ''}contains ${bad.map((c) => JSON.stringify(c)).join(' ')} (${JSON.stringify(text)}), which MLflow refuses in a version name`,
      `a name without ${BAD_NAME_CHARS.join(' ')}, e.g. "chat-bot-v2"`,
    );
  }
  return text;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
