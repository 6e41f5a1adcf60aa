import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

/** Debian's chromium package: never a browser download. */
export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Headless Chromium with a fresh profile (so every first-visit popover shows up, every time). */
export async function launchChromium(): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(path.join(tmpdir(), 'nestjs-mlflow-ui-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 900 },
    timeout: 120_000,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Closes what MLflow's UI opens on a first visit: the "Detect issues" tip, the assistant panel. */
export async function dismissPopovers(page: Page): Promise<void> {
  for (const id of ['mlflow.detect_issues.guidance.got_it', 'mlflow.assistant.chat_panel.close']) {
    const button = page.locator(`[data-component-id="${id}"]`);
    await button.waitFor({ state: 'visible', timeout: 15_000 }).then(
      () => button.click(),
      () => undefined, // not shown by this version of the UI
    );
  }
}
