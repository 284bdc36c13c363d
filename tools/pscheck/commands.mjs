// The command check: every command the scripts run must be a cmdlet in
// cmdlets.json (Microsoft's reference for Windows PowerShell 5.1), a
// function the scripts define, or one of the few aliases the table allows;
// every -Parameter, and every key of a splatted hashtable the check can
// see, must name a parameter of that command, as PowerShell binds it (exact
// name or alias, or an unambiguous prefix of one). A handler that reaches
// the IIS: drive or a WebAdministration cmdlet must import the module
// first: the drive does not exist before Import-Module WebAdministration,
// and command autoloading does not create it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  walk, scopedNodes, nodesOfType, commandName, commandElements, invocationOperator,
  functionBody, functionName, functionParams, stringValue, varName,
} from './ast.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

let tableCache;
export function loadTable() {
  if (!tableCache) {
    const raw = JSON.parse(fs.readFileSync(path.join(here, 'cmdlets.json'), 'utf8'));
    const cmdlets = new Map();
    for (const [name, entry] of Object.entries(raw.cmdlets)) cmdlets.set(name.toLowerCase(), { name, ...entry });
    const aliases = new Map(Object.entries(raw.commandAliases).map(([a, t]) => [a.toLowerCase(), t]));
    tableCache = { raw, cmdlets, aliases };
  }
  return tableCache;
}

// Signature of something callable: its parameter names and alias map.
function cmdletSignature(entry, table) {
  return {
    label: `${entry.name} (${entry.module}, ${entry.source})`,
    names: [...entry.parameters, ...table.raw.commonParameters],
    aliases: { ...table.raw.commonAliases, ...entry.aliases },
  };
}

function functionSignature(fn, table) {
  const names = [...fn.params.names];
  const aliases = {};
  if (fn.params.advanced) {
    names.push(...table.raw.commonParameters);
    Object.assign(aliases, table.raw.commonAliases);
  }
  return { label: `function ${fn.name}`, names, aliases };
}

// resolveParameter binds a -Name the way PowerShell does: an exact name or
// alias wins; otherwise a prefix must pick out exactly one parameter.
export function resolveParameter(given, sig) {
  const g = given.toLowerCase();
  const all = new Map();
  for (const n of sig.names) all.set(n.toLowerCase(), n);
  for (const [a, target] of Object.entries(sig.aliases)) all.set(a.toLowerCase(), target);
  if (all.has(g)) return { ok: true, name: all.get(g) };
  const targets = new Set();
  for (const [k, target] of all) if (k.startsWith(g)) targets.add(target);
  if (targets.size === 1) return { ok: true, name: [...targets][0] };
  if (targets.size > 1) return { ok: false, why: `ambiguous, it could be ${[...targets].sort().join(', ')}` };
  return { ok: false, why: 'no such parameter' };
}

// collectFunctions indexes every function the scripts define, by lower-case
// name, with where it is and what it takes.
const functionsCache = new WeakMap();
export function collectFunctions(files) {
  if (functionsCache.has(files)) return functionsCache.get(files);
  const fns = new Map();
  for (const f of files) {
    for (const node of nodesOfType(f.tree.rootNode, 'function_statement')) {
      const name = functionName(node);
      fns.set(name.toLowerCase(), { name, node, file: f.name, params: functionParams(node) });
    }
  }
  functionsCache.set(files, fns);
  return fns;
}

// hashKeys finds, per scope, the keys each variable's hashtable is known to
// hold: from @{...} literals and $h['Key'] = / $h.Key = assignments. A
// function whose return value is such a variable passes its keys on to
// $x = Function-Call. Anything else is unknown and is not checked.
function hashKeys(files, fns) {
  const scopes = new Map(); // scope -> var -> Set(keys)
  const returns = new Map(); // function (lower) -> var returned
  const calls = []; // { scope, var, fn }
  const add = (scope, v, keys) => {
    if (!scopes.has(scope)) scopes.set(scope, new Map());
    const m = scopes.get(scope);
    if (!m.has(v)) m.set(v, new Set());
    for (const k of keys) m.get(v).add(k);
  };
  for (const f of files) {
    for (const { node, scope } of scopedNodes(f.tree.rootNode)) {
      if (node.type === 'flow_control_statement' && scope && /^return\b/i.test(node.text)) {
        const v = node.text.replace(/^return\s+/i, '').trim();
        if (/^\$[\w:]+$/.test(v)) returns.set(scope, varName(v));
      }
      if (node.type !== 'assignment_expression') continue;
      const lhs = node.children.find((c) => c.type === 'left_assignment_expression');
      const rhs = node.children.find((c) => c.type === 'pipeline');
      if (!lhs || !rhs) continue;
      const target = innermost(lhs);
      if (target.type === 'variable') {
        const v = varName(target.text);
        const lit = innermost(rhs);
        if (lit.type === 'hash_literal_expression') {
          add(scope, v, hashLiteralKeys(lit));
          continue;
        }
        const cmd = nodesOfType(rhs, 'command')[0];
        const called = cmd ? commandName(cmd) : null;
        if (called && fns.has(called.toLowerCase())) calls.push({ scope, v, fn: called.toLowerCase() });
        continue;
      }
      if (target.type === 'element_access' || target.type === 'member_access') {
        const base = target.namedChildren[0];
        if (!base || base.type !== 'variable') continue;
        const keyNode = target.namedChildren[1];
        const key = keyNode ? stringValue(keyNode) : null;
        if (key !== null) add(scope, varName(base.text), [key]);
      }
    }
  }
  for (const { scope, v, fn } of calls) {
    const rv = returns.get(fn);
    const keys = rv && scopes.get(fn) && scopes.get(fn).get(rv);
    if (keys) add(scope, v, keys);
  }
  return scopes;
}

// innermost unwraps the single-child chains the grammar builds around an
// expression (pipeline > pipeline_chain > ... > unary_expression), stopping
// at the node that says what the expression is.
const STOP = new Set(['hash_literal_expression', 'element_access', 'member_access', 'variable', 'command', 'invokation_expression', 'string_literal']);
function innermost(node) {
  let n = node;
  while (n.namedChildCount === 1 && !STOP.has(n.type)) n = n.namedChildren[0];
  return n;
}

function hashLiteralKeys(lit) {
  const keys = [];
  for (const entry of nodesOfType(lit, 'hash_entry')) {
    const owner = entry.parent && entry.parent.parent;
    if (!owner || owner.startIndex !== lit.startIndex) continue; // a nested table's keys
    const k = entry.children.find((c) => c.type === 'key_expression');
    const v = k ? stringValue(k) : null;
    if (v !== null) keys.push(v);
  }
  return keys;
}

// resolveCommand says what a command name refers to.
function resolveCommand(name, fns, table) {
  const lower = name.toLowerCase();
  if (fns.has(lower)) return { kind: 'function', fn: fns.get(lower) };
  const target = table.aliases.get(lower);
  const entry = table.cmdlets.get((target || name).toLowerCase());
  if (entry) return { kind: 'cmdlet', entry };
  return null;
}

// checkCommands returns problems as { file, node, message }.
export function checkCommands(files) {
  const table = loadTable();
  const fns = collectFunctions(files);
  const keys = hashKeys(files, fns);
  const problems = [];
  const report = (file, node, message) => problems.push({ file, node, message });

  for (const f of files) {
    for (const { node, scope } of scopedNodes(f.tree.rootNode)) {
      if (node.type !== 'command') continue;
      const name = commandName(node);
      const op = invocationOperator(node);
      if (name === null) continue; // & $var / & (expr): the data check looks at these
      // The grammar reads a statement that starts with a number (1..3 | ...)
      // as a command; PowerShell reads it as an expression.
      if (op === '' && /^[0-9]/.test(name)) continue;
      if (op === '.') {
        report(f.name, node, `dot-sourcing "${name}" runs a file the agent does not carry`);
        continue;
      }
      const target = resolveCommand(name, fns, table);
      if (!target) {
        report(f.name, node, `unknown command "${name}": not a cmdlet in tools/pscheck/cmdlets.json nor a function defined in the scripts`);
        continue;
      }
      const sig = target.kind === 'function' ? functionSignature(target.fn, table) : cmdletSignature(target.entry, table);
      const { named, splats } = commandElements(node);
      for (const p of named) {
        const r = resolveParameter(p.name, sig);
        if (!r.ok) report(f.name, p.node, `-${p.name} is not a parameter of ${sig.label}: ${r.why}`);
      }
      for (const s of splats) {
        const known = (keys.get(scope) && keys.get(scope).get(s.name)) || (keys.get('') && keys.get('').get(s.name));
        if (!known) continue;
        for (const k of known) {
          const r = resolveParameter(k, sig);
          if (!r.ok) report(f.name, s.node, `splatted key ${k} of @${s.name} is not a parameter of ${sig.label}: ${r.why}`);
        }
      }
    }
  }
  problems.push(...checkIisImport(files, fns, table));
  return problems;
}

// handlers finds the functions registered as operations:
// $script:Ops['op.name'] = 'Function-Name' at script level.
export function registeredHandlers(files, fns) {
  const out = [];
  for (const f of files) {
    for (const { node, scope } of scopedNodes(f.tree.rootNode)) {
      if (node.type !== 'assignment_expression' || scope) continue;
      const lhs = innermost(node.children.find((c) => c.type === 'left_assignment_expression'));
      if (lhs.type !== 'element_access') continue;
      const rhs = node.children.find((c) => c.type === 'pipeline');
      const fnName = rhs ? stringValue(rhs) : null;
      if (fnName && fns.has(fnName.toLowerCase())) out.push({ file: f.name, node, fn: fns.get(fnName.toLowerCase()) });
    }
  }
  return out;
}

// checkIisImport: a handler whose calls reach the IIS: drive, a
// WebAdministration cmdlet or Microsoft.Web.Administration must load the
// module in its first statement, directly or through a function that does.
function checkIisImport(files, fns, table) {
  const info = new Map(); // fn lower -> { calls:Set, usesIis, imports }
  for (const [lower, fn] of fns) {
    const body = functionBody(fn.node);
    const calls = new Set();
    let usesIis = false;
    let imports = false;
    if (body) {
      walk(body, (n) => {
        if (n.type === 'command') {
          const name = commandName(n);
          if (!name) return;
          const target = resolveCommand(name, fns, table);
          if (target && target.kind === 'function') calls.add(target.fn.name.toLowerCase());
          if (target && target.kind === 'cmdlet' && target.entry.module === 'WebAdministration') usesIis = true;
          if (/^import-module$/i.test(name) && /\bWebAdministration\b/i.test(n.text)) imports = true;
        }
        if ((n.type === 'string_literal' && /^["']IIS:/i.test(n.text)) || (n.type === 'generic_token' && /^IIS:/i.test(n.text))) usesIis = true;
        if (n.type === 'type_name' && /^Microsoft\.Web\.Administration\b/i.test(n.text)) usesIis = true;
        if (n.type === 'generic_token' && /^Microsoft\.Web\.Administration\./i.test(n.text)) usesIis = true;
      });
    }
    info.set(lower, { calls, usesIis, imports });
  }
  const reaches = (lower, seen = new Set()) => {
    if (seen.has(lower)) return false;
    seen.add(lower);
    const i = info.get(lower);
    if (!i) return false;
    if (i.usesIis) return true;
    for (const c of i.calls) if (reaches(c, seen)) return true;
    return false;
  };
  const problems = [];
  for (const h of registeredHandlers(files, fns)) {
    const lower = h.fn.name.toLowerCase();
    if (!reaches(lower)) continue;
    const first = firstStatement(h.fn.node);
    const cmd = first ? nodesOfType(first, 'command')[0] : null;
    const name = cmd ? commandName(cmd) : null;
    const ok = cmd && name && (
      (/^import-module$/i.test(name) && /\bWebAdministration\b/i.test(cmd.text)) ||
      (info.get(name.toLowerCase()) && info.get(name.toLowerCase()).imports));
    if (!ok) {
      problems.push({
        file: h.fn.file,
        node: h.fn.node,
        message: `handler ${h.fn.name} uses the IIS: drive or WebAdministration but does not import WebAdministration first (its first statement must be Import-Module WebAdministration or a function that runs it)`,
      });
    }
  }
  return problems;
}

function firstStatement(fn) {
  const body = functionBody(fn);
  if (!body) return null;
  const sbody = body.children.find((c) => c.type === 'script_block_body');
  const list = sbody && sbody.children.find((c) => c.type === 'statement_list');
  return list ? list.namedChildren.find((c) => c.type !== 'comment') || null : null;
}

