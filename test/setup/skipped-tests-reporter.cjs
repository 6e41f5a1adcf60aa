// Jest prints "N skipped" and nothing more. This reporter lists each skipped test once at the end
// of the run, with the describe blocks around it: the tests that skip say why in their names
// (an SDK major that needs a newer Node runs in CI's Node 24 pass).
class SkippedTestsReporter {
  onRunComplete(_contexts, results) {
    const skipped = [];
    for (const file of results.testResults) {
      for (const test of file.testResults) {
        if (test.status === 'pending' || test.status === 'skipped') {
          skipped.push([...test.ancestorTitles, test.title].join(' › '));
        }
      }
    }
    if (skipped.length === 0) return;
    const lines = skipped.map((name) => `  - ${name}`).join('\n');
    process.stderr.write(
      `\n${skipped.length} skipped on Node ${process.versions.node}:\n${lines}\n`,
    );
  }
}

module.exports = SkippedTestsReporter;
