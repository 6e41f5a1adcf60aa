import { SpanType, TraceRoute } from '../../lib';
import { exceptionTypeForStatus } from '../../lib/interceptor/derived-exception';
import {
  acceptIdentity,
  MAX_IDENTITY_LENGTH,
  MAX_REQUEST_ID_LENGTH,
} from '../../lib/interceptor/identity-value';
import { pathExclusion, requestPath } from '../../lib/interceptor/path-exclusion';
import { declaredPath, readRouteSettings } from '../../lib/interceptor/route-settings';
import { httpDefaults } from '../../lib/options/http-defaults';
import { MlflowTracingConfigError } from '../../lib';

describe('the rule for user, session and request ids (acceptIdentity)', () => {
  it('keeps a trimmed value of 1 to max chars, and finite numbers as text', () => {
    expect(acceptIdentity('  alice  ', 256)).toBe('alice');
    expect(acceptIdentity('ü-用户-👩‍💻', 256)).toBe('ü-用户-👩‍💻');
    expect(acceptIdentity(42, 256)).toBe('42');
    expect(acceptIdentity('x'.repeat(MAX_IDENTITY_LENGTH), MAX_IDENTITY_LENGTH)).toHaveLength(256);
    expect(acceptIdentity('r'.repeat(MAX_REQUEST_ID_LENGTH), MAX_REQUEST_ID_LENGTH)).toHaveLength(
      50,
    );
  });

  it('rejects, whole, what is too long, empty, or not a string', () => {
    expect(acceptIdentity('x'.repeat(257), 256)).toBeUndefined();
    expect(acceptIdentity('r'.repeat(51), 50)).toBeUndefined();
    for (const value of ['', '   ', undefined, null, NaN, Infinity, ['a', 'b'], { id: 1 }, true]) {
      expect(acceptIdentity(value, 256)).toBeUndefined();
    }
  });

  it('rejects control, line-separator and bidirectional formatting characters anywhere', () => {
    const forbidden = [
      '\u0000',
      '\t',
      '\n',
      '\r',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u009f',
      '\u2028',
      '\u2029',
      '\u200e',
      '\u202e',
      '\u2066',
      '\u2069',
    ];
    for (const char of forbidden)
      expect([char, acceptIdentity(`bob${char}x`, 256)]).toEqual([char, undefined]);
    expect(acceptIdentity('bob\u00a0smith', 256)).toBe('bob\u00a0smith');
  });
});

describe('http.exclude matching', () => {
  it('matches a string path and the paths below it, not a longer name', () => {
    const excluded = pathExclusion(['/health', '/internal/'])!;
    expect(
      ['/health', '/health/', '/health/live', '/internal', '/internal/x/y'].filter(excluded),
    ).toHaveLength(5);
    expect(['/healthz', '/api/health', '/', '/internals'].some(excluded)).toBe(false);
  });

  it('tests RegExps against the path, and excludes nothing when empty', () => {
    const excluded = pathExclusion([/^\/metrics/, /\.png$/])!;
    expect(['/metrics', '/metrics-v2', '/img/logo.png'].every(excluded)).toBe(true);
    expect(excluded('/api/metrics')).toBe(false);
    expect(pathExclusion([])).toBeUndefined();
    expect(pathExclusion(['/'])!('/anything')).toBe(true);
  });

  it('sees the path without the query string, not decoded', () => {
    expect(requestPath('/health?verbose=1')).toBe('/health');
    expect(requestPath('/a%20b')).toBe('/a%20b');
    expect(requestPath(undefined)).toBe('/');
  });
});

describe('root span names and types', () => {
  class Controller {
    @TraceRoute({ name: 'custom', spanType: SpanType.AGENT, captureOutputs: false })
    custom() {}

    @TraceRoute(SpanType.RETRIEVER)
    typed() {}

    plain() {}
  }

  it('reads @TraceRoute once per handler, falling back to the module default type', () => {
    expect(readRouteSettings(Controller.prototype.custom, 'CHAIN')).toMatchObject({
      name: 'custom',
      spanType: 'AGENT',
      captureInputs: true,
      captureOutputs: false,
    });
    expect(readRouteSettings(Controller.prototype.typed, 'CHAIN')).toMatchObject({
      name: undefined,
      spanType: 'RETRIEVER',
    });
    expect(readRouteSettings(Controller.prototype.plain, 'WORKFLOW')).toMatchObject({
      name: undefined,
      spanType: 'WORKFLOW',
      rpcName: undefined,
    });
  });

  it('names microservice handlers by their pattern', () => {
    const message = () => undefined;
    Reflect.defineMetadata('microservices:pattern', [{ cmd: 'sum' }], message);
    Reflect.defineMetadata('microservices:handler_type', 1, message);
    const event = () => undefined;
    Reflect.defineMetadata('microservices:pattern', ['user.created'], event);
    Reflect.defineMetadata('microservices:handler_type', 2, event);
    expect(readRouteSettings(message, 'CHAIN')).toMatchObject({
      rpcName: 'RPC {"cmd":"sum"}',
      rpcPattern: '{"cmd":"sum"}',
    });
    expect(readRouteSettings(event, 'CHAIN')).toMatchObject({ rpcName: 'EVENT user.created' });
  });

  it('builds a path from the controller and route decorators for adapters that report no pattern', () => {
    const controller = class {};
    const handler = () => undefined;
    Reflect.defineMetadata('path', '/chat/', controller);
    Reflect.defineMetadata('path', ':id', handler);
    expect(declaredPath(controller, handler)).toBe('/chat/:id');
    Reflect.defineMetadata('path', '/', handler);
    expect(declaredPath(controller, handler)).toBe('/chat');
  });

  it("derives the exception type of a status from Nest's exceptions", () => {
    expect([401, 403, 404, 429, 500, 503, 599].map(exceptionTypeForStatus)).toEqual([
      'UnauthorizedException',
      'ForbiddenException',
      'NotFoundException',
      'HttpException',
      'InternalServerErrorException',
      'ServiceUnavailableException',
      'HttpException',
    ]);
  });
});

describe('the http options', () => {
  it('has documented defaults', () => {
    expect(httpDefaults()).toEqual({
      autoInstrument: true,
      exclude: [],
      spanType: 'CHAIN',
      userHeader: 'x-user-id',
      sessionHeader: 'x-session-id',
      identify: undefined,
      requestIdHeader: 'x-request-id',
      traceIdResponseHeader: 'x-mlflow-trace-id',
      acceptTraceparent: false,
      traceUnmatched: false,
    });
  });

  it('lowercases header names and drops the state of global RegExps', () => {
    const resolved = httpDefaults({ userHeader: 'X-User', exclude: [/^\/a/g] });
    expect(resolved.userHeader).toBe('x-user');
    const [pattern] = resolved.exclude as RegExp[];
    expect([pattern.test('/a'), pattern.test('/a'), pattern.flags]).toEqual([true, true, '']);
  });

  it('fails at startup on an unusable value, naming the option', () => {
    const bad: [string, unknown][] = [
      ['http.autoInstrument', { autoInstrument: 'yes' }],
      ['http.exclude[0]', { exclude: ['health'] }],
      ['http.exclude', { exclude: '/health' }],
      ['http.userHeader', { userHeader: 'x user' }],
      ['http.traceIdResponseHeader', { traceIdResponseHeader: '' }],
      ['http.identify', { identify: 'user' }],
      ['http.acceptTraceparent', { acceptTraceparent: 1 }],
      ['http.traceUnmatched', { traceUnmatched: 'yes' }],
      ['http.spanType', { spanType: ' ' }],
    ];
    for (const [option, value] of bad) {
      expect(() => httpDefaults(value as never)).toThrow(MlflowTracingConfigError);
      expect(() => httpDefaults(value as never)).toThrow(`"${option}"`);
    }
  });
});
