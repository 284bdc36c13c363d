// Self-test: pscheck must accept valid 5.1 code and reject broken scripts
// and every PowerShell 7 only construct we know of. Run by `make pscheck`
// before the real check, so a grammar upgrade that stops catching them fails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkSource } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const data = (name) => fs.readFileSync(path.join(here, 'testdata', name), 'utf8');

test('accepts valid Windows PowerShell 5.1', async () => {
  assert.deepEqual(await checkSource(data('good.ps1')), []);
});

test('rejects a script that does not parse', async () => {
  const problems = await checkSource(data('broken.ps1'));
  assert.ok(problems.length > 0, 'broken script passed');
});

const ps7 = {
  'ps7-coalesce.ps1': /PowerShell 7/,
  'ps7-coalesce-assign.ps1': /PowerShell 7/,
  'ps7-null-conditional.ps1': /PowerShell 7/,
  'ps7-ternary.ps1': /PowerShell 7/,
  'ps7-and-chain.ps1': /pipeline chains are PowerShell 7 only/,
  'ps7-or-chain.ps1': /pipeline chains are PowerShell 7 only/,
  'ps7-parallel.ps1': /-Parallel is PowerShell 7 only/,
};
for (const [name, want] of Object.entries(ps7)) {
  test(`rejects ${name}`, async () => {
    const problems = await checkSource(data(name));
    assert.ok(problems.some((p) => want.test(p)), `${name}: got ${JSON.stringify(problems)}`);
  });
}

test('rejects non-ASCII text', async () => {
  const problems = await checkSource(data('non-ascii.ps1'));
  assert.ok(problems.some((p) => /non-ASCII/.test(p)), JSON.stringify(problems));
});

test('the command line fails on a bad file and passes on a good one', () => {
  const run = (f) => spawnSync(process.execPath, [path.join(here, 'pscheck.mjs'), path.join(here, 'testdata', f)], { encoding: 'utf8' });
  const bad = run('ps7-and-chain.ps1');
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stderr, /ps7-and-chain\.ps1:1:\d+: && \/ \|\| pipeline chains/);
  const good = run('good.ps1');
  assert.equal(good.status, 0, good.stdout + good.stderr);
});
