#!/usr/bin/env node
// pscheck: every .ps1 under the given files or directories must parse with
// no ERROR or MISSING nodes and use only Windows PowerShell 5.1 syntax.
// Usage: node pscheck.mjs PATH...   (exit 1 when any file has a problem)
import fs from 'node:fs';
import path from 'node:path';
import { checkSource } from './lib.mjs';

function collect(p, out) {
  const st = fs.statSync(p);
  if (st.isDirectory()) {
    for (const name of fs.readdirSync(p).sort()) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      collect(path.join(p, name), out);
    }
  } else if (/\.ps1$/i.test(p)) {
    out.push(p);
  }
}

const args = process.argv.slice(2);
if (args.length === 0) {
  console.error('usage: pscheck PATH...');
  process.exit(2);
}
const files = [];
for (const a of args) collect(a, files);
if (files.length === 0) {
  // A check that checked nothing would pass silently; make it loud.
  console.error(`pscheck: no .ps1 files under ${args.join(' ')}`);
  process.exit(1);
}
let bad = 0;
for (const f of files) {
  const problems = await checkSource(fs.readFileSync(f, 'utf8'));
  for (const p of problems) console.error(`${f}:${p}`);
  if (problems.length) bad++;
}
console.log(`pscheck: ${files.length} files checked, ${bad} with problems`);
process.exit(bad ? 1 : 0);
