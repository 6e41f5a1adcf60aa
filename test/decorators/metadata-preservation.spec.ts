import {
  Body,
  CanActivate,
  Controller,
  ExecutionContext,
  Get,
  Injectable,
  Param,
  Post,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import type { INestApplication } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { EventEmitter2, EventEmitterModule, OnEvent } from '@nestjs/event-emitter';
import { CustomTransportStrategy, MessagePattern, Payload, Server } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { InMemoryTraceExporter, Trace } from '../../lib';
import { bootWithMemoryExporter } from '../fixtures/tracing-test-app';

// Each Nest feature is exercised twice: once with @Trace as the outermost decorator (applied
// last, it wraps a method that already carries the metadata) and once as the innermost one
// (applied first, the other decorators then write onto the wrapper).

const API_RESPONSE = 'swagger/apiResponse';
const API_PARAMS = 'swagger/apiParams';

/** Swagger-like method decorator: documentation stored on the handler function itself. */
function ApiResponseDoc(status: number, description: string): MethodDecorator {
  return (_target, _key, descriptor) => {
    const existing = (Reflect.getMetadata(API_RESPONSE, descriptor.value as object) ??
      {}) as object;
    Reflect.defineMetadata(
      API_RESPONSE,
      { ...existing, [status]: { description } },
      descriptor.value as object,
    );
    return descriptor;
  };
}

/** Swagger-like parameter decorator: documentation stored on the class, keyed by method. */
function ApiParamDoc(name: string): ParameterDecorator {
  return (target, key, index) => {
    const owner = (target as { constructor: object }).constructor;
    const list = (Reflect.getMetadata(API_PARAMS, owner, key!) ?? []) as unknown[];
    Reflect.defineMetadata(API_PARAMS, [...list, { name, index }], owner, key!);
  };
}

@Injectable()
class Catalog {
  private readonly items = new Map<string, string>([['7', 'seven']]);
  readonly events: string[] = [];

  find(id: string) {
    return { id, name: this.items.get(id) ?? null };
  }

  add(name: string) {
    const id = String(this.items.size + 100);
    this.items.set(id, name);
    return { id, name };
  }
}

@Injectable()
class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const roles = this.reflector.get<string[] | undefined>('roles', context.getHandler());
    // Like most role guards: a handler without `roles` metadata is public. So if the metadata
    // were lost, the request without a role would get through.
    if (roles === undefined) return true;
    const role = context.switchToHttp().getRequest<{ headers: Record<string, string> }>().headers[
      'x-role'
    ];
    return roles.includes(role);
  }
}

@Controller('outer')
class TraceOutermostController {
  constructor(private readonly catalog: Catalog) {}

  @Trace()
  @ApiResponseDoc(200, 'the item')
  @Get('items/:id')
  item(@ApiParamDoc('id') @Param('id') id: string) {
    return this.catalog.find(id);
  }

  @Trace()
  @Post('items')
  create(@Body() body: { name: string }) {
    return this.catalog.add(body.name);
  }

  @Trace()
  @UseGuards(RolesGuard)
  @SetMetadata('roles', ['admin'])
  @Get('admin')
  admin() {
    return { secret: 42 };
  }

  @Trace()
  @MessagePattern('sum.outer')
  sum(@Payload() numbers: number[]) {
    return numbers.reduce((a, b) => a + b, 0);
  }
}

@Controller('inner')
class TraceInnermostController {
  constructor(private readonly catalog: Catalog) {}

  @Get('items/:id')
  @ApiResponseDoc(200, 'the item')
  @Trace()
  item(@ApiParamDoc('id') @Param('id') id: string) {
    return this.catalog.find(id);
  }

  @Post('items')
  @Trace()
  create(@Body() body: { name: string }) {
    return this.catalog.add(body.name);
  }

  @Get('admin')
  @SetMetadata('roles', ['admin'])
  @UseGuards(RolesGuard)
  @Trace()
  admin() {
    return { secret: 42 };
  }

  @MessagePattern('sum.inner')
  @Trace()
  sum(@Payload() numbers: number[]) {
    return numbers.reduce((a, b) => a + b, 0);
  }
}

@Injectable()
class OrderListeners {
  constructor(private readonly catalog: Catalog) {}

  @Trace()
  @OnEvent('order.placed')
  async traceOutermost(order: { id: string }) {
    this.catalog.events.push(`outer:${order.id}`);
  }

  @OnEvent('order.placed')
  @Trace()
  async traceInnermost(order: { id: string }) {
    this.catalog.events.push(`inner:${order.id}`);
  }
}

@Injectable()
class Twice {
  calls = 0;

  @Trace()
  @Trace()
  run(x: number) {
    this.calls++;
    return x * 2;
  }

  @Trace({ name: 'outer-name' })
  @SetMetadata('kept', 'yes')
  @Trace({ name: 'inner-name' })
  withMetadataBetween() {
    return 'ok';
  }
}

/** A real microservice transport that lives in the same process: messages go through Nest's RPC pipeline. */
class InProcessTransport extends Server implements CustomTransportStrategy {
  listen(callback: () => void) {
    callback();
  }
  close() {}
  on() {}
  unwrap<T>(): T {
    throw new Error('InProcessTransport has no underlying client');
  }
  async request(pattern: string, data: unknown): Promise<unknown> {
    const handler = this.getHandlerByPattern(pattern);
    if (handler === null) throw new Error(`no handler registered for ${pattern}`);
    return lastValueFrom(this.transformToObservable(await handler(data)));
  }
}

const orders = [
  { order: '@Trace outermost', prefix: 'outer', controller: TraceOutermostController },
  { order: '@Trace innermost', prefix: 'inner', controller: TraceInnermostController },
] as const;

describe('@Trace keeps the metadata Nest and other libraries put on a method', () => {
  let app: INestApplication;
  let exporter: InMemoryTraceExporter;
  let baseUrl: string;
  const transport = new InProcessTransport();

  beforeAll(async () => {
    ({ app, exporter } = await bootWithMemoryExporter({
      imports: [EventEmitterModule.forRoot()],
      controllers: [TraceOutermostController, TraceInnermostController],
      providers: [Catalog, RolesGuard, OrderListeners, Twice],
    }));
    app.connectMicroservice({ strategy: transport });
    await app.startAllMicroservices();
    await app.listen(0, '127.0.0.1');
    baseUrl = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  });
  afterAll(() => app.close());
  beforeEach(() => exporter.reset());

  describe.each(orders)('$order', ({ prefix, controller }) => {
    const name = controller.name;

    it('@Get with @Param answers through HTTP, using the injected dependency (`this` is kept)', async () => {
      const response = await fetch(`${baseUrl}/${prefix}/items/7`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: '7', name: 'seven' });
      const span = exporter.findSpan({ name: `${name}.item` });
      expect(span.inputs).toEqual({ id: '7' });
      expect(span.outputs).toEqual({ id: '7', name: 'seven' });
    });

    it('@Post with @Body answers through HTTP with 201 and the created item', async () => {
      const response = await fetch(`${baseUrl}/${prefix}/items`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: `made-by-${prefix}` }),
      });
      expect(response.status).toBe(201);
      const created = (await response.json()) as { id: string; name: string };
      expect(created.name).toBe(`made-by-${prefix}`);
      expect(exporter.findSpan({ name: `${name}.create` }).inputs).toEqual({
        body: { name: `made-by-${prefix}` },
      });

      const readBack = await fetch(`${baseUrl}/${prefix}/items/${created.id}`);
      expect(await readBack.json()).toEqual(created);
    });

    it('@UseGuards runs and its guard reads @SetMetadata roles through Reflector', async () => {
      const denied = await fetch(`${baseUrl}/${prefix}/admin`, { headers: { 'x-role': 'guest' } });
      expect(denied.status).toBe(403);
      expect(exporter.findSpans({ name: `${name}.admin` })).toHaveLength(0);

      const allowed = await fetch(`${baseUrl}/${prefix}/admin`, { headers: { 'x-role': 'admin' } });
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ secret: 42 });
      expect(exporter.findSpans({ name: `${name}.admin` })).toHaveLength(1);
    });

    it('@MessagePattern handlers are registered and answer messages of a real microservice transport', async () => {
      await expect(transport.request(`sum.${prefix}`, [1, 2, 3])).resolves.toBe(6);
      const span = exporter.findSpan({ name: `${name}.sum` });
      expect(span.inputs).toEqual({ numbers: [1, 2, 3] });
      expect(span.outputs).toBe(6);
    });

    it('Swagger-style metadata on the handler and parameter metadata on the class both survive', () => {
      const handler = controller.prototype.item;
      expect(Reflect.getMetadata(API_RESPONSE, handler)).toEqual({
        200: { description: 'the item' },
      });
      expect(Reflect.getMetadata(API_PARAMS, controller, 'item')).toEqual([
        { name: 'id', index: 0 },
      ]);
      expect(Reflect.getMetadata('design:paramtypes', controller.prototype, 'item')).toEqual([
        String,
      ]);
    });
  });

  it('@OnEvent listeners are subscribed in both orders, run with `this`, and each records a span', async () => {
    const catalog = app.get(Catalog);
    catalog.events.length = 0;
    await app.get(EventEmitter2).emitAsync('order.placed', { id: 'o-1' });
    expect(catalog.events.sort()).toEqual(['inner:o-1', 'outer:o-1']);
    expect(exporter.findSpan({ name: 'OrderListeners.traceOutermost' }).inputs).toEqual({
      order: { id: 'o-1' },
    });
    expect(exporter.findSpan({ name: 'OrderListeners.traceInnermost' }).inputs).toEqual({
      order: { id: 'o-1' },
    });
  });

  it('@Trace applied twice records one span per call', () => {
    const twice = app.get(Twice);
    expect(twice.run(4)).toBe(8);
    expect(twice.run(5)).toBe(10);
    expect(twice.calls).toBe(2);
    expect(exporter.getTraces()).toHaveLength(2);
    expect(exporter.getSpans().map((s) => s.name)).toEqual(['Twice.run', 'Twice.run']);
  });

  it('@Trace applied twice around another decorator records one span and keeps that metadata', () => {
    const twice = app.get(Twice);
    expect(twice.withMetadataBetween()).toBe('ok');
    expect(exporter.getSpans()).toHaveLength(1);
    expect(Reflect.getMetadata('kept', Twice.prototype.withMetadataBetween)).toBe('yes');
  });
});
