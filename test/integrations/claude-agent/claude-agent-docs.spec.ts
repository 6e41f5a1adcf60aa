import { docBlocks } from '../../fixtures/docs';
import { bootWithMemoryExporter } from '../../fixtures/tracing-test-app';
import { CLAUDE_AGENT_SDKS, useFakeClaudeCode } from '../fixtures/claude-agent-sdks';
import { fakeClaudeCodeServer } from '../fixtures/fake-claude-code-server';
import { renderTree } from '../fixtures/render-tree';
import { describeEachSdk } from '../fixtures/sdk-versions';

const PAGE = 'docs/llm-sdks/claude-agent.md';

describeEachSdk(CLAUDE_AGENT_SDKS, () => {
  const server = fakeClaudeCodeServer();
  afterAll(() => server.stop());

  it(`${PAGE}: the example gives the trace the page draws`, async () => {
    const { cwd, restore } = useFakeClaudeCode(await server.start());
    const { NotesAgent } = await import('./claude-agent-docs.service');
    const { app, exporter } = await bootWithMemoryExporter({ providers: [NotesAgent] });
    try {
      await expect(
        app.get(NotesAgent).ask('Summarize notes.txt in one sentence.', cwd),
      ).resolves.toBe('The file says: sunny in Paris');
      const trees = docBlocks(PAGE)
        .filter((block) => block.lang === 'text')
        .map((block) => block.code.trim());
      expect(trees).toContain(renderTree(exporter.getSpans()));
    } finally {
      await app.close();
      restore();
    }
  });
});
