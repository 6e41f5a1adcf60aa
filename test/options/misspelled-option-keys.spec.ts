import { MlflowTracingConfigError, type MlflowTracingOptions } from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';

// What a hurried user types: each must stop the app at startup, naming the key.
describe('misspelled keys inside the masking, feedback and otel options', () => {
  it.each([
    [{ otel: { registerGlobl: true } }, 'otel.registerGlobl', 'registerGlobal, exposeActiveSpan'],
    [{ feedback: { maxheld: 5 } }, 'feedback.maxheld', 'maxHeld, holdTimeoutMs'],
    [{ masking: { replacment: '***' } }, 'masking.replacment', 'replacement'],
    [{ masking: { rule: { email: false } } }, 'masking.rule', 'rules'],
  ])('%j fails naming %s and listing the accepted keys', (options, key, accepted) => {
    const resolve = () => resolveOptions(options as MlflowTracingOptions, {});
    expect(resolve).toThrow(MlflowTracingConfigError);
    expect(resolve).toThrow(`option "${key}" is not an option`);
    expect(resolve).toThrow(accepted);
  });

  it('accepts every documented key', () => {
    const options: MlflowTracingOptions = {
      otel: { registerGlobal: false, exposeActiveSpan: false },
      feedback: { maxHeld: 5, holdTimeoutMs: 1, holdUnknownTraces: true, requestTimeoutMs: 1 },
      masking: {
        enabled: true,
        rules: { email: true },
        keys: ['a'],
        patterns: [],
        replacement: 'x',
        custom: [],
        pseudonymKey: 'k',
      },
    };
    expect(() => resolveOptions(options, {})).not.toThrow();
  });
});
