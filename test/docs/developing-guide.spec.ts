import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { docBlocks, REPO_ROOT } from '../fixtures/docs';

// docs/developing.md draws the layout of lib/: it must name every folder there, and only those.
describe('docs/developing.md', () => {
  it('lists every folder of lib/ and no folder that is gone', () => {
    const [layout] = docBlocks('docs/developing.md');
    const listed = [...layout.code.matchAll(/^ {2}([a-z-]+)\/ /gm)].map((match) => match[1]);
    const folders = readdirSync(path.join(REPO_ROOT, 'lib')).filter((name) =>
      statSync(path.join(REPO_ROOT, 'lib', name)).isDirectory(),
    );
    expect([...listed].sort()).toEqual([...folders].sort());
  });
});
