import { MlflowTracingConfigError } from '../../lib';
import { resolveOptions } from '../../lib/options/resolve-options';

describe('entryPoints options', () => {
  it('turns every entry point on by default, queue runs as children of the enqueuing trace', () => {
    const { entryPoints } = resolveOptions({}, {});
    expect(entryPoints).toMatchObject({
      websocket: {
        enabled: true,
        spanType: 'CHAIN',
        userField: 'userId',
        sessionField: 'sessionId',
      },
      graphql: { enabled: true, fieldSpans: false },
      microservice: { enabled: true, propagate: true, acceptTraceparent: false },
      queue: { enabled: true, processing: 'child' },
      schedule: true,
      events: true,
    });
  });

  it.each([
    [{ entryPoints: null }, 'entryPoints'],
    [{ entryPoints: { websocket: { enabled: 'yes' } } }, 'entryPoints.websocket.enabled'],
    [{ entryPoints: { websocket: { identify: 'x' } } }, 'entryPoints.websocket.identify'],
    [{ entryPoints: { graphql: { fieldSpans: 1 } } }, 'entryPoints.graphql.fieldSpans'],
    [
      { entryPoints: { microservice: { acceptTraceparent: 'on' } } },
      'entryPoints.microservice.acceptTraceparent',
    ],
    [{ entryPoints: { queue: { processing: 'sibling' } } }, 'entryPoints.queue.processing'],
    [{ entryPoints: { schedule: 'daily' } }, 'entryPoints.schedule'],
  ])('rejects %j at startup, naming %s', (options, option) => {
    expect(() => resolveOptions(options as never, {})).toThrow(MlflowTracingConfigError);
    expect(() => resolveOptions(options as never, {})).toThrow(`"${option}"`);
  });
});
