import { existsSync } from 'node:fs';
import path from 'node:path';
import { docBlocks, docPages, missingLineOfBlock, readRepoFile, REPO_ROOT } from '../fixtures/docs';

// Every code block of the README and of docs/ names, in a `<!-- test: path -->` comment, the
// test (or the fixture a test runs) that exercises it. The block's lines must appear in that file
// in order, or the file must read the page itself and assert on the block.
const pages = docPages();

describe.each(pages)('%s', (page) => {
  const blocks = docBlocks(page);

  const numbered = blocks.map((block) => [block.line, block] as const);
  if (numbered.length > 0)
    it.each(numbered)('block at line %i is exercised by the test it names', (_line, block) => {
      if (block.test === undefined) {
        throw new Error(`${page}:${block.line}: add <!-- test: <file> --> above the block`);
      }
      if (!existsSync(path.join(REPO_ROOT, block.test))) {
        throw new Error(`${page}:${block.line}: ${block.test} does not exist`);
      }
      const readsThePage = readRepoFile(block.test).includes(page);
      const missing = missingLineOfBlock(block.code, block.test);
      if (!readsThePage && missing !== undefined) {
        throw new Error(
          `${page}:${block.line}: ${block.test} neither reads ${page} nor holds the line\n  ${missing}`,
        );
      }
    });

  it('speaks to users: no issue numbers, targets or history', () => {
    const prose = readRepoFile(page).replace(/```[\s\S]*?```/g, '');
    expect(prose).not.toMatch(
      /\bissues? #?\d+|\(#\d+\)|\bnot met\b|\b(last|this|previous) session\b/i,
    );
  });

  it('links only to files and headings that exist', () => {
    const text = readRepoFile(page);
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
    for (const link of links.filter((target) => !/^[a-z]+:/.test(target))) {
      const [file, anchor] = link.split('#');
      const target = file === '' ? page : path.posix.join(path.posix.dirname(page), file);
      expect({ link, exists: existsSync(path.join(REPO_ROOT, target)) }).toEqual({
        link,
        exists: true,
      });
      if (anchor !== undefined && target.endsWith('.md')) {
        expect({ link, anchors: headingAnchors(readRepoFile(target)).includes(anchor) }).toEqual({
          link,
          anchors: true,
        });
      }
    }
  });
});

it('the README reads in ten minutes (at most 2,000 words)', () => {
  const words = readRepoFile('README.md').split(/\s+/).filter(Boolean).length;
  expect(words).toBeLessThanOrEqual(2000);
});

/** GitHub's anchors for a page's headings. */
function headingAnchors(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '');
  return [...withoutCode.matchAll(/^#+ (.+)$/gm)].map((match) =>
    match[1]
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/ /g, '-'),
  );
}
