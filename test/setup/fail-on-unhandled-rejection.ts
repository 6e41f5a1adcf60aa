// Tracing must never leak an unhandled rejection into the app: any that occurs while a test runs
// fails that test (Node's --unhandled-rejections=strict, per test).
const unhandled: unknown[] = [];
const record = (reason: unknown) => unhandled.push(reason);

beforeAll(() => {
  process.on('unhandledRejection', record);
});

afterEach(async () => {
  // Rejections are reported after a turn of the event loop.
  await new Promise((resolve) => setImmediate(resolve));
  if (unhandled.length === 0) return;
  const reasons = unhandled.splice(0);
  throw new Error(`unhandled rejection during the test: ${String(reasons[0])}`);
});

afterAll(() => {
  process.off('unhandledRejection', record);
});
