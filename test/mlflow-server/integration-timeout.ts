// Integration tests wait for a real server and for asynchronous exports.
jest.setTimeout(60_000);
