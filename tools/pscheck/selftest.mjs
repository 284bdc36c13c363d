// Self-test: pscheck must accept valid 5.1 code and reject broken scripts,
// every PowerShell 7 only construct we know of, unknown cmdlets and
// parameters, and request data that reaches code. Run by `make pscheck`
// before the real check, so a grammar upgrade or a table edit that stops
// catching them fails the build instead of passing everything.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkSource, checkFiles, parseFiles } from './lib.mjs';
import { loadTable } from './commands.mjs';
import { checkTaint, loadExceptions } from './taint.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const data = (name) => fs.readFileSync(path.join(here, 'testdata', name), 'utf8');

test('accepts valid Windows PowerShell 5.1', async () => {
  assert.deepEqual(await checkSource(data('good.ps1')), []);
});

test('rejects a script that does not parse', async () => {
  const problems = await checkSource(data('broken.ps1'));
  assert.ok(problems.length > 0, 'broken script passed');
});

// Each bad script and the one problem it must produce (other problems may
// come with it, such as Invoke-Expression not being an allowed cmdlet).
const rejected = {
  'ps7-coalesce.ps1': /PowerShell 7/,
  'ps7-coalesce-assign.ps1': /PowerShell 7/,
  'ps7-null-conditional.ps1': /PowerShell 7/,
  'ps7-ternary.ps1': /PowerShell 7/,
  'ps7-and-chain.ps1': /pipeline chains are PowerShell 7 only/,
  'ps7-or-chain.ps1': /pipeline chains are PowerShell 7 only/,
  'ps7-parallel.ps1': /-Parallel is PowerShell 7 only/,
  'ps7-parameter.ps1': /^2:\d+: -AsHashtable is not a parameter of ConvertFrom-Json .*: no such parameter/,
  'unknown-cmdlet.ps1': /^5:\d+: unknown command "Get-NetFirewallRules"/,
  'unknown-parameter.ps1': /^2:\d+: -Store is not a parameter of Get-NetFirewallRule \(NetSecurity, https:\/\/learn\.microsoft\.com\/.*\): no such parameter/,
  'ambiguous-parameter.ps1': /-Pol is not a parameter of Get-NetFirewallRule .*ambiguous, it could be PolicyStore, PolicyStoreSource, PolicyStoreSourceType/,
  'splat-key.ps1': /^4:\d+: splatted key Ports of @params is not a parameter of New-NetFirewallRule/,
  'taint-iex.ps1': /^6:\d+: request data reaches Invoke-Expression$/,
  'taint-helper.ps1': /^8:\d+: request data reaches \[scriptblock\]::Create\(\), which runs it as code$/,
  'taint-stdin.ps1': /^5:\d+: request data reaches the command line of cmd$/,
  'iis-no-import.ps1': /handler Invoke-PoolList uses the IIS: drive or WebAdministration but does not import WebAdministration first/,
};
for (const [name, want] of Object.entries(rejected)) {
  test(`rejects ${name}`, async () => {
    const problems = await checkSource(data(name));
    assert.ok(problems.some((p) => want.test(p)), `${name}: got ${JSON.stringify(problems, null, 1)}`);
  });
}

test('request data used as data passes the data check', async () => {
  assert.deepEqual(await checkSource(data('taint-clean.ps1')), []);
});

test('rejects non-ASCII text', async () => {
  const problems = await checkSource(data('non-ascii.ps1'));
  assert.ok(problems.some((p) => /non-ASCII/.test(p)), JSON.stringify(problems));
});

test('parameters bind as PowerShell binds them: names, aliases, unambiguous prefixes, common parameters', async () => {
  const src = [
    "Get-Item -LiteralPath 'IIS:\\AppPools\\a' -ea SilentlyContinue",
    "Get-Item -PSPath 'x' -ErrorVariable e",
    "Get-NetFirewallRule -ID 'web' -PolicyStore PersistentStore -TraceP",
    "Set-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Filter 'x' -Name enabled -val $true",
    "@(1, 2) | Where-Object -Property Length -EQ 1 | Select-Object -First 1 | Out-Null",
  ].join('\n');
  assert.deepEqual(await checkSource(src), []);
});

test('a function defined in one file can be called from another, with its own parameters checked', async () => {
  const files = [
    { name: 'a.ps1', text: 'function New-Thing {\n    param([string]$Kind, $Message)\n    return $Kind\n}\n' },
    { name: 'b.ps1', text: "New-Thing -Kind 'x' -Message 'y'\nNew-Thing -Knd 'x'\n" },
  ];
  const problems = await checkFiles(files);
  assert.deepEqual(problems.map((p) => `${p.file}:${p.line}: ${p.message}`), [
    'b.ps1:2: -Knd is not a parameter of function New-Thing: no such parameter',
  ]);
});

test('a sink exception that matches nothing is itself a problem', async () => {
  const files = await parseFiles([{ name: 'bootstrap.ps1', text: "$x = 'constant'\n" }]);
  const problems = checkTaint(files, loadExceptions());
  assert.equal(problems.length, 1);
  assert.match(problems[0].message, /sink exception for .* matches nothing/);
});

test('every table entry names its module and its Microsoft Learn source', () => {
  const { raw } = loadTable();
  const names = Object.keys(raw.cmdlets);
  assert.ok(names.length >= 40, `only ${names.length} cmdlets`);
  for (const [name, e] of Object.entries(raw.cmdlets)) {
    assert.match(e.source, /^https:\/\/learn\.microsoft\.com\/powershell\/module\/[a-z.]+\/[a-z-]+\?view=(powershell-5\.1|windowsserver2022-ps)$/, name);
    assert.ok(e.source.includes(name.toLowerCase()), `${name}: source ${e.source} names another cmdlet`);
    assert.match(e.doc, /^MicrosoftDocs\/(windows-powershell-docs|PowerShell-Docs) .*\.(md|yml)$/, name);
    assert.ok(Array.isArray(e.parameters), name);
    assert.equal(typeof e.checked, 'boolean', name);
    for (const target of Object.values(e.aliases)) {
      assert.ok(e.parameters.includes(target), `${name}: alias target ${target} is not a parameter`);
    }
  }
});

// The real scripts: every embedded .ps1 passes, and the bootstrap's run of
// the hash-checked agent is the only sink exception in use.
test('the embedded scripts pass every check', () => {
  const r = spawnSync(process.execPath, [path.join(here, 'pscheck.mjs'), path.join(repo, 'internal')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /pscheck: \d+ files checked, 0 with problems/);
});

test('the bootstrap runs the agent only through its reviewed exception', async () => {
  const dir = path.join(repo, 'internal', 'hostscript');
  const files = await parseFiles(fs.readdirSync(dir).filter((n) => n.endsWith('.ps1'))
    .map((n) => ({ name: n, text: fs.readFileSync(path.join(dir, n), 'utf8') })));
  const without = checkTaint(files, []);
  assert.ok(without.length > 0 && without.every((p) => p.file === 'bootstrap.ps1'), JSON.stringify(without.map((p) => `${p.file}: ${p.message}`)));
  assert.deepEqual(checkTaint(files), []);
});

test('the command line fails on a bad file and passes on a good one', () => {
  const run = (f) => spawnSync(process.execPath, [path.join(here, 'pscheck.mjs'), path.join(here, 'testdata', f)], { encoding: 'utf8' });
  const bad = run('ps7-and-chain.ps1');
  assert.equal(bad.status, 1, bad.stdout + bad.stderr);
  assert.match(bad.stderr, /ps7-and-chain\.ps1:1:\d+: && \/ \|\| pipeline chains/);
  const iex = run('taint-iex.ps1');
  assert.equal(iex.status, 1, iex.stdout + iex.stderr);
  assert.match(iex.stderr, /taint-iex\.ps1:6:\d+: request data reaches Invoke-Expression/);
  const good = run('good.ps1');
  assert.equal(good.status, 0, good.stdout + good.stderr);
});
