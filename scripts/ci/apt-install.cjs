// @ts-check
/** Debian packages the tests need, installed with apt-get by the project's own scripts. */
const { execFileSync } = require('node:child_process');

/**
 * Installs Debian packages non-interactively; runs `apt-get update` once if the first try
 * fails (a fresh container has no package lists). Waits for another apt run instead of
 * failing on its lock.
 * @param {string[]} packages
 */
function aptInstall(packages) {
  const apt = (/** @type {string[]} */ args) =>
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  try {
    apt(['install', '-y', '--no-install-recommends', ...packages]);
  } catch {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', ...packages]);
  }
}

module.exports = { aptInstall };
