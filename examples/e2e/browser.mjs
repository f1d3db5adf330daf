// Shared helpers for rolegate's browser tests: Debian's Chromium, headless,
// driven by playwright-core. Nothing is downloaded: CHROMIUM names the
// binary (default /usr/bin/chromium, from `apt-get install chromium`).
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

// start runs a command from the repository root and resolves once a line of
// its output matches ready; it rejects with the output so far if the
// command exits first or timeoutMs passes. stop() ends the process group.
export function start(cmd, args, ready, { timeoutMs = 300000, env = {} } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, env: { ...process.env, ...env }, detached: true });
    let output = '';
    const stop = () => { try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ } };
    const timer = setTimeout(() => { stop(); reject(new Error(`${cmd} not ready after ${timeoutMs} ms:\n${output}`)); }, timeoutMs);
    const onData = (chunk) => {
      output += chunk;
      if (ready.test(output)) {
        clearTimeout(timer);
        resolve({ stop, output: () => output });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${cmd} exited with ${code}:\n${output}`)); });
  });
}

// click submits a form button (or follows a link) and returns the
// navigation's response, so its status can be checked.
export async function click(page, selector) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click(selector)]);
  return response;
}
