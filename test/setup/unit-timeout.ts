// Several unit tests drive real SDKs (a spawned CLI, HTTP fakes); on a loaded CI machine they
// need more than Jest's 5 s default, which would fail them for speed rather than behaviour.
jest.setTimeout(20_000);
