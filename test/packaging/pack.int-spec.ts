import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { docCode } from '../fixtures/docs';

/**
 * Builds and packs the library, installs the tarball into two throwaway apps and runs them:
 * an ES module app on NestJS 12 (ESM-only) and a CommonJS app on NestJS 11.
 * Plain JavaScript apps, no compile step: decorators are applied with Reflect.decorate, as tsc would.
 * Needs the npm registry (or a warm npm cache); not the MLflow server.
 */

const REPO = resolve(__dirname, '..', '..');
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
const STEP_TIMEOUT_MS = 240_000;

/** npm sets these for scripts it runs (`npm test`); a nested npm must not inherit them. */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_(lifecycle_|package_|command$|config_local_prefix$)/.test(key) || key === 'INIT_CWD')
      continue;
    env[key] = value;
  }
  return env;
}

function run(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    execFile(
      cmd,
      args,
      { cwd, env: childEnv(), timeout: STEP_TIMEOUT_MS, maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          fail(
            new Error(
              `${cmd} ${args.join(' ')} (in ${cwd}) failed: ${error.message}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`,
            ),
          );
        } else {
          done(stdout);
        }
      },
    );
  });
}

/** The app's whole story, after its own import lines have defined `lib`, `other`, `Injectable`, `Module`, `NestFactory`, `nestVersion`. */
const APP_BODY = `
const { InMemoryTraceExporter, MlflowOtelTracerProvider, MlflowTracingModule, SpanType, Trace, TracingService } = lib;

class Retriever {
  search(query) {
    return ['doc about ' + query];
  }
}

class Assistant {
  constructor(retriever, tracing, otel) {
    this.retriever = retriever;
    this.tracing = tracing;
    this.otel = otel;
  }

  async answer(question) {
    const docs = this.retriever.search(question);
    return this.tracing.withSpan({ name: 'compose', spanType: SpanType.CHAIN }, () =>
      // The OpenTelemetry bridge, in an app that does not have @opentelemetry/api installed.
      this.otel.getTracer('pack').startActiveSpan('otel.chat', { attributes: { 'gen_ai.operation.name': 'chat' } }, (span) => {
        span.end();
        return question + ': ' + docs.join(', ');
      }),
    );
  }
}

function decorateMethod(target, key, decorators) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, key);
  Object.defineProperty(target.prototype, key, Reflect.decorate(decorators, target.prototype, key, descriptor));
}

decorateMethod(Retriever, 'search', [Trace(SpanType.RETRIEVER)]);
decorateMethod(Assistant, 'answer', [Trace({ spanType: SpanType.AGENT })]);
Reflect.decorate([Injectable()], Retriever);
// What emitDecoratorMetadata would emit for constructor(retriever: Retriever, tracing: TracingService).
Reflect.decorate([Injectable(), Reflect.metadata('design:paramtypes', [Retriever, TracingService, MlflowOtelTracerProvider])], Assistant);

const exporter = new InMemoryTraceExporter();
class AppModule {}
Reflect.decorate(
  [Module({ imports: [MlflowTracingModule.forRoot({ exporter })], providers: [Retriever, Assistant] })],
  AppModule,
);

// The apps install no LLM SDK: the wrappers still load, and LangChain's says what it needs.
function integrationsWithoutSdks() {
  const client = { chat: { completions: { create: () => 'untouched' } } };
  let langchain;
  try {
    lib.createMlflowCallbackHandler();
  } catch (error) {
    langchain = error.message.split(':')[0];
  }
  return {
    sameClient: lib.traceOpenAI(client) === client && lib.traceAnthropic(client) === client,
    langchain,
  };
}

async function main() {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: false });
  const answer = await app.get(Assistant).answer('mlflow');
  await app.close();
  const spans = exporter.getSpans();
  const names = new Map(spans.map((span) => [span.spanIdHex, span.name]));
  console.log(
    JSON.stringify({
      node: process.version,
      nest: nestVersion,
      sameCopy: lib.TracingService === other.TracingService && lib.MlflowTracingModule === other.MlflowTracingModule,
      answer,
      traces: exporter.getTraces().length,
      spanNames: spans.map((span) => span.name),
      integrations: integrationsWithoutSdks(),
      spans: spans.map((span) => ({
        name: span.name,
        spanType: span.spanType,
        parent: span.parentSpanIdHex === null ? null : (names.get(span.parentSpanIdHex) ?? '?'),
        inputs: span.inputs,
      })),
    }),
  );
}
`;

const ESM_APP = `import 'reflect-metadata';
import { createRequire } from 'node:module';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import * as lib from 'nestjs-mlflow-tracing';

const require = createRequire(import.meta.url);
const other = require('nestjs-mlflow-tracing');
const nestVersion = require('@nestjs/core/package.json').version;
${APP_BODY}
await main();
`;

const CJS_APP = `'use strict';
require('reflect-metadata');
const { Injectable, Module } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');

const lib = require('nestjs-mlflow-tracing');
const nestVersion = require('@nestjs/core/package.json').version;
let other;
${APP_BODY}
import('nestjs-mlflow-tracing')
  .then((imported) => {
    other = imported;
    return main();
  })
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
`;

/** Type-checks a TypeScript consumer of each entry (ESM and CommonJS) under moduleResolution nodenext. */
const TYPES_ESM = `import { InMemoryTraceExporter, MlflowTracingModule, SpanType, Trace, TracingService } from 'nestjs-mlflow-tracing';
import type { FinishedSpan, MlflowTracingOptions, TraceOptions } from 'nestjs-mlflow-tracing';
import { createMlflowCallbackHandler, traceAnthropic, traceOpenAI } from 'nestjs-mlflow-tracing';
import type { MlflowCallbackHandler } from 'nestjs-mlflow-tracing';

const options: MlflowTracingOptions = { exporter: new InMemoryTraceExporter() };
const traceOptions: TraceOptions = { spanType: SpanType.LLM };
export const dynamicModule = MlflowTracingModule.forRoot(options);
export const decorator: MethodDecorator = Trace(traceOptions);
export const names: string[] = new InMemoryTraceExporter().getSpans().map((span: FinishedSpan) => span.name);
export type Service = TracingService;

class OwnClient {
  readonly chat = { completions: { create: async (body: { model: string }) => body.model } };
}
export const traced: OwnClient = traceOpenAI(new OwnClient());
export const tracedClaude: OwnClient = traceAnthropic(new OwnClient());
export const handler: MlflowCallbackHandler = createMlflowCallbackHandler();
`;
const TYPES_CJS = TYPES_ESM.replace('export const dynamicModule', 'export const cjsModule');

/** What docs/testing.md tells a NestJS 12 app to install for jest (versions as this repo tests). */
const USER_JEST = {
  jest: '30.5.2',
  '@swc/core': '1.16.18',
  '@swc/jest': '0.2.39',
  '@nestjs/testing': '12.1.1',
};

/** A user's spec in TypeScript with decorators: the snippet of docs/testing.md. */
const USER_SPEC = `import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InMemoryTraceExporter, MlflowTracingModule, SpanType, Trace } from 'nestjs-mlflow-tracing';

@Injectable()
class ChatService {
  @Trace(SpanType.AGENT)
  async answer(question: string) {
    return (await this.search(question, 3)).join(' ');
  }

  @Trace(SpanType.RETRIEVER)
  async search(query: string, topK: number): Promise<string[]> {
    return [query + ':' + topK];
  }
}

@Module({ providers: [ChatService] })
class ChatModule {}

test('records the app', async () => {
  const exporter = new InMemoryTraceExporter();
  const moduleRef = await Test.createTestingModule({
    imports: [MlflowTracingModule.forRoot({ exporter }), ChatModule],
  }).compile();
  await moduleRef.get(ChatService).answer('hi');
  expect(exporter.findSpan({ spanType: SpanType.RETRIEVER }).inputs).toEqual({ query: 'hi', topK: 3 });
  expect(exporter.getTraces()[0].state).toBe('OK');
});
`;

type AppOutput = {
  node: string;
  nest: string;
  sameCopy: boolean;
  answer: string;
  traces: number;
  spanNames: string[];
  integrations: { sameClient: boolean; langchain: string };
  spans: { name: string; spanType: string; parent: string | null; inputs: unknown }[];
};

const EXPECTED_SPANS = [
  { name: 'Assistant.answer', spanType: 'AGENT', parent: null, inputs: { question: 'mlflow' } },
  {
    name: 'Retriever.search',
    spanType: 'RETRIEVER',
    parent: 'Assistant.answer',
    inputs: { query: 'mlflow' },
  },
  { name: 'compose', spanType: 'CHAIN', parent: 'Assistant.answer', inputs: undefined },
  { name: 'otel.chat', spanType: 'CHAT_MODEL', parent: 'compose', inputs: undefined },
];

const EXPECTED_INTEGRATIONS = {
  sameClient: true,
  langchain: 'createMlflowCallbackHandler() needs @langchain/core',
};

describe('packed library in fresh apps', () => {
  const timings: Record<string, number> = {};
  const timed = async <T>(label: string, step: () => Promise<T>): Promise<T> => {
    const started = Date.now();
    try {
      return await step();
    } finally {
      timings[label] = (Date.now() - started) / 1000;
    }
  };

  let work: string;
  let esmApp: string;
  let cjsApp: string;
  let tarballName: string;

  async function createApp(
    dir: string,
    type: 'module' | 'commonjs',
    deps: Record<string, string>,
    tarball: string,
  ) {
    mkdirSync(dir);
    const pkg = {
      name: `pack-check-${type}`,
      private: true,
      type,
      dependencies: { ...deps, 'nestjs-mlflow-tracing': `file:${tarball}` },
    };
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        '--no-package-lock',
        '--loglevel=error',
      ],
      dir,
    );
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'nestjs-mlflow-tracing-pack-'));
    esmApp = join(work, 'esm-app');
    cjsApp = join(work, 'cjs-app');

    await timed('build', () => run('npm', ['run', 'build'], REPO));
    const packed = await timed('pack', () =>
      run('npm', ['pack', '--json', '--pack-destination', work], REPO),
    );
    tarballName = (JSON.parse(packed) as { filename: string }[])[0].filename;
    const tarball = join(work, tarballName);

    const base = { 'reflect-metadata': '^0.2.0', rxjs: '^7.8.0' };
    await timed('install both apps', () =>
      Promise.all([
        createApp(
          esmApp,
          'module',
          { ...base, '@nestjs/common': '12.5.1', '@nestjs/core': '12.5.1', ...USER_JEST },
          tarball,
        ),
        createApp(
          cjsApp,
          'commonjs',
          { ...base, '@nestjs/common': '^11.0.0', '@nestjs/core': '^11.0.0' },
          tarball,
        ),
      ]),
    );
  }, 3 * STEP_TIMEOUT_MS);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
    console.log(`packaging test timings (s): ${JSON.stringify(timings)}`);
  });

  async function runApp(dir: string, file: string, source: string): Promise<AppOutput> {
    writeFileSync(join(dir, file), source);
    // The same Node that runs jest, so the Node 24 CI pass checks the package on Node 24.
    const stdout = await timed(file, () => run(process.execPath, [file], dir));
    const last = stdout.trim().split('\n').pop() ?? '';
    try {
      return JSON.parse(last) as AppOutput;
    } catch {
      throw new Error(`${file} printed no JSON result:\n${stdout}`);
    }
  }

  it('installs as the README says until the package is published (build, npm pack, install the tarball)', () => {
    const [today, published] = docCode('README.md', '## Use it in your app');
    expect(today).toContain('npm ci && npm run build && npm pack');
    expect(today).toContain(`# writes ${tarballName}`);
    expect(today).toContain(`npm install ../nestjs-mlflow-tracing/${tarballName}`);
    expect(published.trim()).toBe('npm install nestjs-mlflow-tracing');
  });

  it('ships the CommonJS build, its ESM entry and both type entries', () => {
    const installed = join(esmApp, 'node_modules', 'nestjs-mlflow-tracing', 'dist');
    const esm = readFileSync(join(installed, 'index.mjs'), 'utf8');
    expect(esm).toContain("import cjs from './index.js'");
    expect(esm).toMatch(/export const \{[\s\S]*MlflowTracingModule,[\s\S]*\} = cjs;/);
    expect(readFileSync(join(installed, 'index.d.mts'), 'utf8')).toContain(
      "export * from './index.js'",
    );
    expect(readFileSync(join(installed, 'index.d.ts'), 'utf8')).toContain('MlflowTracingModule');
  });

  it('ships the worker-thread entry (nestjs-mlflow-tracing/worker) for import and require', () => {
    const installed = join(
      esmApp,
      'node_modules',
      'nestjs-mlflow-tracing',
      'dist',
      'tracing',
      'worker',
    );
    expect(readFileSync(join(installed, 'index.mjs'), 'utf8')).toMatch(
      /export const \{[\s\S]*traceInWorker,[\s\S]*\} = cjs;/,
    );
    expect(readFileSync(join(installed, 'index.d.mts'), 'utf8')).toContain(
      "export * from './index.js'",
    );
    expect(readFileSync(join(installed, 'index.d.ts'), 'utf8')).toContain('traceInWorker');
  });

  it('runs in an ES module app on NestJS 12, one copy of the library for import and require', async () => {
    const out = await runApp(esmApp, 'main.mjs', ESM_APP);
    expect(out.nest).toBe('12.5.1');
    expect(out.node).toBe(process.version);
    expect(out.sameCopy).toBe(true);
    expect(out.answer).toBe('mlflow: doc about mlflow');
    expect(out.traces).toBe(1);
    expect(out.spanNames).toEqual(['Assistant.answer', 'Retriever.search', 'compose', 'otel.chat']);
    expect(out.spans).toEqual(EXPECTED_SPANS);
    expect(out.integrations).toEqual(EXPECTED_INTEGRATIONS);
  });

  it('runs in a CommonJS app on NestJS 11, one copy of the library for require and import()', async () => {
    const out = await runApp(cjsApp, 'main.cjs', CJS_APP);
    expect(out.nest).toMatch(/^11\./);
    expect(out.sameCopy).toBe(true);
    expect(out.answer).toBe('mlflow: doc about mlflow');
    expect(out.traces).toBe(1);
    expect(out.spanNames).toEqual(['Assistant.answer', 'Retriever.search', 'compose', 'otel.chat']);
    expect(out.spans).toEqual(EXPECTED_SPANS);
    expect(out.integrations).toEqual(EXPECTED_INTEGRATIONS);
  });

  it("runs the user's own jest tests of a NestJS 12 app with the jest setup of docs/testing.md", async () => {
    const [install, config] = docCode('docs/testing.md', '## Jest in a NestJS 12 (ESM-only) app');
    expect(install).toContain(Object.keys(USER_JEST).join(' '));
    writeFileSync(join(esmApp, 'jest.config.cjs'), config);
    writeFileSync(join(esmApp, 'chat.spec.ts'), USER_SPEC);
    const jest = join(esmApp, 'node_modules', 'jest', 'bin', 'jest.js');
    const out = await timed('user jest', () =>
      run(process.execPath, [jest, '--ci', '--json'], esmApp),
    );
    const report = JSON.parse(out) as { numPassedTests: number; numFailedTests: number };
    expect([report.numPassedTests, report.numFailedTests]).toEqual([1, 0]);
  });

  it('gives TypeScript consumers types for import (index.d.mts) and require (index.d.ts)', async () => {
    writeFileSync(join(esmApp, 'check.mts'), TYPES_ESM);
    writeFileSync(join(esmApp, 'check.cts'), TYPES_CJS);
    const tsconfig = {
      compilerOptions: {
        module: 'nodenext',
        moduleResolution: 'nodenext',
        target: 'es2022',
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        types: [],
      },
      files: ['check.mts', 'check.cts'],
    };
    writeFileSync(join(esmApp, 'tsconfig.json'), JSON.stringify(tsconfig));
    const explained = await timed('tsc', () =>
      run(process.execPath, [TSC, '-p', '.', '--explainFiles'], esmApp),
    );
    expect(explained).toMatch(/nestjs-mlflow-tracing\/dist\/index\.d\.mts\n/);
    expect(explained).toMatch(/nestjs-mlflow-tracing\/dist\/index\.d\.ts\n/);
  });
});
