import { MlflowTracingConfigError } from '../../lib';
import { unknownOptionWarnings } from '../../lib/diagnostics/unknown-options';
import { resolveOptions } from '../../lib/options/resolve-options';
import type { VersionOptions } from '../../lib/options/version-options.interface';

const version = (options: VersionOptions | false | undefined, env = {}) =>
  resolveOptions(options === undefined ? {} : { version: options }, env).version;

describe('option version', () => {
  it('is none by default', () => {
    expect(version(undefined)).toBeUndefined();
  });

  it('takes a name, an id, or the git state (with an optional name for new versions)', () => {
    expect(version({ name: 'chat-bot-v2' })).toEqual({ kind: 'name', name: 'chat-bot-v2' });
    expect(version({ id: 'm-0123' })).toEqual({ kind: 'id', id: 'm-0123' });
    expect(version({ git: true })).toEqual({ kind: 'git', name: undefined });
    expect(version({ git: true, name: 'chat-bot' })).toEqual({ kind: 'git', name: 'chat-bot' });
    expect(version({ git: false, name: 'chat-bot' })).toEqual({ kind: 'name', name: 'chat-bot' });
  });

  it("reads MLflow's MLFLOW_ACTIVE_MODEL_ID (then its older _MLFLOW_ACTIVE_MODEL_ID), then MLFLOW_ACTIVE_MODEL_NAME", () => {
    expect(
      version(undefined, { MLFLOW_ACTIVE_MODEL_ID: ' m-1 ', MLFLOW_ACTIVE_MODEL_NAME: 'x' }),
    ).toEqual({
      kind: 'id',
      id: 'm-1',
    });
    expect(version(undefined, { _MLFLOW_ACTIVE_MODEL_ID: 'm-2' })).toEqual({
      kind: 'id',
      id: 'm-2',
    });
    expect(version(undefined, { MLFLOW_ACTIVE_MODEL_NAME: 'chat-bot-v2' })).toEqual({
      kind: 'name',
      name: 'chat-bot-v2',
    });
    expect(version(undefined, { MLFLOW_ACTIVE_MODEL_ID: '  ' })).toBeUndefined();
  });

  it('lets the option win over the environment, and false turn versions off', () => {
    const env = { MLFLOW_ACTIVE_MODEL_ID: 'm-env' };
    expect(version({ name: 'mine' }, env)).toEqual({ kind: 'name', name: 'mine' });
    expect(version(false, env)).toBeUndefined();
  });

  it.each<[unknown, RegExp]>([
    [{ name: 'chat-bot@1.2' }, /version\.name.*"\.".*which MLflow refuses/],
    [{ name: "it's" }, /version\.name/],
    [{ name: '' }, /version\.name/],
    [{ id: 'm-1', name: 'x' }, /version\.id.*version\.name/],
    [{ id: 'm-1', git: true }, /version\.id.*version\.git/],
    [{ git: 'yes' }, /version\.git/],
    [{}, /"version" names no version/],
    [{ nmae: 'x' }, /version\.nmae.*is not an option.*name, id, git/],
    ['chat-bot', /"version" is chat-bot/],
  ])('refuses %j at startup', (options, message) => {
    expect(() => version(options as VersionOptions)).toThrow(MlflowTracingConfigError);
    expect(() => version(options as VersionOptions)).toThrow(message);
  });

  it('refuses a name MLflow would refuse in MLFLOW_ACTIVE_MODEL_NAME, naming the variable', () => {
    expect(() => version(undefined, { MLFLOW_ACTIVE_MODEL_NAME: 'v1.2' })).toThrow(
      /env MLFLOW_ACTIVE_MODEL_NAME/,
    );
  });

  it('suggests the right key for a misspelled one', () => {
    expect(unknownOptionWarnings({ versoin: { name: 'x' } })).toEqual([
      expect.stringContaining('did you mean "version"'),
    ]);
  });
});
