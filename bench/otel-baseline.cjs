// The baselines a team would write by hand on the OpenTelemetry SDK, recording what MLflow
// needs (span type, JSON inputs and outputs): a method decorator and a root-span interceptor.
// Spans go to a BatchSpanProcessor whose exporter drops them, so only the request path counts.
const otel = require('@opentelemetry/api');
const { BasicTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks');
const { tap, finalize } = require('rxjs');

let exportedSpans = 0;
const dropAll = {
  export: (spans, done) => {
    exportedSpans += spans.length;
    done({ code: 0 });
  },
  shutdown: async () => undefined,
};

/** Registers the global OTel SDK (nestjs-otel's `@Span` uses the global tracer). */
function installOtelSdk() {
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropAll)] });
  otel.trace.setGlobalTracerProvider(provider);
  otel.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  return otel.trace.getTracer('bench');
}

function endWith(span, result) {
  span.setAttribute('mlflow.spanOutputs', JSON.stringify(result) ?? 'null');
  span.end();
  return result;
}

function fail(span, error) {
  span.recordException(error);
  span.setStatus({ code: otel.SpanStatusCode.ERROR });
  span.end();
  throw error;
}

/** Hand-written span decorator: inputs as named JSON, outputs, errors, async results. */
function otelTrace(tracer, spanType, inputNames) {
  return (target, key, descriptor) => {
    const original = descriptor.value;
    const name = `${target.constructor.name}.${String(key)}`;
    descriptor.value = function (...args) {
      return tracer.startActiveSpan(name, (span) => {
        span.setAttribute('mlflow.spanType', JSON.stringify(spanType));
        const inputs = {};
        for (let i = 0; i < args.length; i++) inputs[inputNames[i] ?? `arg${i}`] = args[i];
        span.setAttribute('mlflow.spanInputs', JSON.stringify(inputs));
        try {
          const result = original.apply(this, args);
          if (result instanceof Promise)
            return result.then(
              (value) => endWith(span, value),
              (error) => fail(span, error),
            );
          return endWith(span, result);
        } catch (error) {
          return fail(span, error);
        }
      });
    };
    return descriptor;
  };
}

/** Hand-written root-span interceptor: method, route, status, inputs and outputs. */
class OtelRootSpanInterceptor {
  constructor(tracer) {
    this.tracer = tracer;
  }

  intercept(context, next) {
    const http = context.switchToHttp();
    const request = http.getRequest();
    const response = http.getResponse();
    const route = request.route?.path ?? request.routeOptions?.url;
    const span = this.tracer.startSpan(`${request.method} ${route}`, {
      kind: otel.SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'http.route': route },
    });
    span.setAttribute('mlflow.spanType', '"CHAIN"');
    span.setAttribute(
      'mlflow.spanInputs',
      JSON.stringify({ params: request.params, query: request.query, body: request.body }),
    );
    const active = otel.trace.setSpan(otel.context.active(), span);
    return otel.context
      .with(active, () => next.handle())
      .pipe(
        tap({
          next: (value) => span.setAttribute('mlflow.spanOutputs', JSON.stringify(value) ?? 'null'),
          error: (error) => {
            span.recordException(error);
            span.setStatus({ code: otel.SpanStatusCode.ERROR });
          },
        }),
        finalize(() => {
          span.setAttribute('http.response.status_code', response.statusCode);
          span.end();
        }),
      );
  }
}

module.exports = {
  installOtelSdk,
  otelTrace,
  OtelRootSpanInterceptor,
  exportedSpans: () => exportedSpans,
};
