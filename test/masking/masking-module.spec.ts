import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import {
  InMemoryTraceExporter,
  MaskingService,
  MlflowTracingConfigError,
  MlflowTracingModule,
  Trace,
} from '../../lib';

@Injectable()
class Greeter {
  @Trace()
  greet(email: string) {
    return `hello ${email}`;
  }
}

describe('the masking option of the module', () => {
  it('forRootAsync takes it from a factory and the app can inject MaskingService', async () => {
    const exporter = new InMemoryTraceExporter();
    const moduleRef = await Test.createTestingModule({
      imports: [
        MlflowTracingModule.forRootAsync({
          useFactory: async () => ({ exporter, masking: { replacement: '<hidden>' } }),
        }),
      ],
      providers: [Greeter],
    }).compile();
    const app = await moduleRef.createNestApplication({ logger: false }).init();
    app.get(Greeter).greet('ann@example.com');
    expect(exporter.getSpans()[0].outputs).toBe('hello <hidden>');
    expect(app.get(MaskingService).mask({ password: 'x' })).toEqual({ password: '<hidden>' });
    await app.close();
  });

  it.each([
    [{ masking: { rules: { phone: false } } }, /masking\.rules\.phone/],
    [{ masking: { custom: [42] } }, /masking\.custom\[0\]/],
    [{ masking: 'yes' }, /"masking"/],
  ])('fails at startup on %j, naming the option', async (options, message) => {
    const compile = Test.createTestingModule({
      imports: [MlflowTracingModule.forRoot(options as never)],
    }).compile();
    await expect(compile).rejects.toThrow(MlflowTracingConfigError);
    await expect(
      Test.createTestingModule({
        imports: [MlflowTracingModule.forRootAsync({ useFactory: () => options as never })],
      }).compile(),
    ).rejects.toThrow(message);
  });
});
