#!/usr/bin/env node
// pscheck: every .ps1 under the given files or directories must parse with
// no ERROR or MISSING nodes, use only Windows PowerShell 5.1 syntax, call
// only cmdlets and parameters that exist (cmdlets.json) or functions the
// scripts define, import WebAdministration before using IIS:, and never
// let request data reach code (taint.mjs). The files of one directory are
// checked together, as the agent runs them: one script made of its files.
// Usage: node pscheck.mjs PATH...   (exit 1 when any file has a problem)
import fs from 'node:fs';
import path from 'node:path';
import { checkFiles } from './lib.mjs';

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

// One group per directory: hostscript's files form the agent; another
// package that assembles its own agent keeps its files beside each other
// and is checked together with the files it names in a "# pscheck: with"
// line (for instance the agent loop it reuses).
const groups = new Map();
for (const f of files) {
  const dir = path.dirname(f);
  if (!groups.has(dir)) groups.set(dir, []);
  groups.get(dir).push(f);
}
const withRE = /^#\s*pscheck:\s*with\s+(.+)$/gm;
let bad = new Set();
for (const [dir, members] of groups) {
  const names = new Set(members);
  for (const f of members) {
    for (const m of fs.readFileSync(f, 'utf8').matchAll(withRE)) {
      for (const extra of m[1].trim().split(/\s+/)) names.add(path.join(dir, extra));
    }
  }
  const set = [...names].map((name) => ({ name, text: fs.readFileSync(name, 'utf8') }));
  const problems = await checkFiles(set);
  for (const p of problems) {
    if (!members.includes(p.file)) continue; // reported with its own directory
    console.error(`${p.file}:${p.line}:${p.col}: ${p.message}`);
    bad.add(p.file);
  }
}
console.log(`pscheck: ${files.length} files checked, ${bad.size} with problems`);
process.exit(bad.size ? 1 : 0);
