// The data-is-not-code check. Request data enters the scripts in two ways:
// lines read from stdin (.ReadLine(), .ReadToEnd()) and the arguments of a
// registered operation handler ($script:Ops['op'] = 'Function'). Anything
// computed from such a value is tainted too: a variable assigned from it, a
// foreach variable over it, a parameter it is passed to, the result of a
// call that receives it or of a function that returns it. Indexing a
// table with tainted data does not taint the result: the value comes from
// the table, which is how the agent maps an op name to its handler.
//
// No tainted value may reach code: Invoke-Expression, Add-Type,
// Start-Process, Invoke-Command, Start-Job, Import-Module, a New-Object type
// name, [scriptblock]::Create and the other ways to compile text, & or . on
// a computed command, or the command line of a native program (cmd /c, ...).
// sink-exceptions.json lists the reviewed exceptions (the bootstrap runs the
// agent it received only after checking its SHA-256); an exception that no
// longer matches is itself a problem, so it cannot outlive its reason.
//
// The analysis is flow-insensitive and per function, which over-taints
// rather than under-taints: a false alarm costs a rewrite, a miss could
// cost a host.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  scopedNodes, commandName, commandNameNode, commandElements, invocationOperator,
  varName, isScriptScoped,
} from './ast.mjs';
import { collectFunctions, registeredHandlers, loadTable, resolveParameter } from './commands.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

const SOURCE_METHODS = /^(ReadLine|ReadToEnd|ReadLineAsync|ReadToEndAsync)$/i;
const CODE_METHODS = /^(Create|InvokeScript|NewScriptBlock|ExpandString|AddScript|Start)$/i;
const CODE_TYPES = /^(scriptblock|System\.Management\.Automation\.ScriptBlock|powershell|System\.Management\.Automation\.PowerShell|System\.Diagnostics\.Process|Diagnostics\.Process)$/i;
const SINK_CMDLETS = new Map([
  ['invoke-expression', 'Invoke-Expression'], ['iex', 'Invoke-Expression'],
  ['add-type', 'Add-Type'],
  ['start-process', 'Start-Process'], ['saps', 'Start-Process'], ['start', 'Start-Process'],
  ['invoke-command', 'Invoke-Command'], ['icm', 'Invoke-Command'],
  ['start-job', 'Start-Job'], ['sajb', 'Start-Job'],
  ['import-module', 'Import-Module'], ['ipmo', 'Import-Module'],
  ['new-module', 'New-Module'], ['nmo', 'New-Module'],
]);

export function loadExceptions() {
  return JSON.parse(fs.readFileSync(path.join(here, 'sink-exceptions.json'), 'utf8')).exceptions;
}

class Analysis {
  constructor(files) {
    this.files = files;
    this.fns = collectFunctions(files);
    this.table = loadTable();
    this.tainted = new Set(); // "scope\0var"
    this.taintedParams = new Map(); // fn lower -> Set(param lower)
    this.returnsTainted = new Set(); // fn lower
    this.changed = false;
    this.known = new Set();
    this.passes = 0;
    this.items = [];
    for (const f of files) {
      for (const { node, scope } of scopedNodes(f.tree.rootNode)) this.items.push({ file: f, node, scope });
    }
    this.handlers = registeredHandlers(files, this.fns);
  }

  mark(scope, v) {
    const key = scope + '\0' + v;
    if (!this.tainted.has(key)) {
      this.tainted.add(key);
      this.changed = true;
    }
  }

  isVarTainted(scope, text) {
    const v = varName(text);
    if (v === '_' || v === 'psitem') return this.tainted.has(scope + '\0_');
    if (isScriptScoped(text)) return this.tainted.has('\0' + v);
    return this.tainted.has(scope + '\0' + v) || this.tainted.has('\0' + v);
  }

  // taintedExpr reports whether the value of node can carry request data.
  // Taint only grows, so a node once found tainted is remembered as such.
  taintedExpr(node, scope) {
    if (this.known.has(node)) return true;
    const t = this.computeTaint(node, scope);
    if (t) this.known.add(node);
    return t;
  }

  computeTaint(node, scope) {
    switch (node.type) {
      case 'function_statement':
        return false;
      case 'variable':
        return this.isVarTainted(scope, node.text);
      case 'element_access':
        return this.taintedExpr(node.namedChildren[0], scope);
      case 'invokation_expression': {
        const member = node.children.find((c) => c.type === 'member_name');
        if (member && SOURCE_METHODS.test(member.text)) return true;
        return node.namedChildren.some((c) => this.taintedExpr(c, scope));
      }
      case 'command':
        return this.taintedCall(node, scope);
      default:
        return node.children.some((c) => this.taintedExpr(c, scope));
    }
  }

  // taintedCall: a command's output is tainted when it is given tainted
  // data, or is a script function that may return tainted data.
  taintedCall(cmd, scope) {
    const name = commandName(cmd);
    if (name && this.returnsTainted.has(name.toLowerCase())) return true;
    return cmd.children.some((c) => c.type !== 'command_invokation_operator' && this.taintedExpr(c, scope));
  }

  // propagate runs one pass over every file; callers repeat it until
  // nothing changes.
  propagate() {
    for (const h of this.handlers) {
      const first = h.fn.params.names[0];
      if (first) this.markParam(h.fn.name.toLowerCase(), first.toLowerCase());
    }
    for (const { node, scope } of this.items) {
      {
        switch (node.type) {
          case 'assignment_expression': {
            const lhs = node.children.find((c) => c.type === 'left_assignment_expression');
            const rhs = node.children.find((c) => c.type === 'pipeline');
            if (lhs && rhs && this.taintedExpr(rhs, scope)) this.markTarget(lhs, scope);
            break;
          }
          case 'foreach_statement': {
            const v = node.children.find((c) => c.type === 'variable');
            const coll = node.children.find((c) => c.type === 'pipeline');
            if (v && coll && this.taintedExpr(coll, scope)) this.markVar(v.text, scope);
            break;
          }
          case 'pipeline_chain':
            this.pipelineItem(node, scope);
            break;
          case 'command':
            this.bindArguments(node, scope);
            break;
          case 'flow_control_statement':
            if (/^return\b/i.test(node.text) && scope && node.children.some((c) => c.type === 'pipeline' && this.taintedExpr(c, scope))) {
              this.markReturn(scope);
            }
            break;
          case 'statement_list':
            // Anything a function writes to its output is returned too.
            if (scope) {
              for (const st of node.namedChildren) {
                if (st.type === 'pipeline' && !st.children.some((c) => c.type === 'assignment_expression') && this.taintedExpr(st, scope)) {
                  this.markReturn(scope);
                }
              }
            }
            break;
          default:
        }
      }
    }
  }

  markParam(fn, p) {
    if (!this.taintedParams.has(fn)) this.taintedParams.set(fn, new Set());
    const set = this.taintedParams.get(fn);
    if (!set.has(p)) {
      set.add(p);
      this.changed = true;
    }
    this.mark(fn, p);
  }

  markReturn(fn) {
    if (!this.returnsTainted.has(fn)) {
      this.returnsTainted.add(fn);
      this.changed = true;
    }
  }

  markVar(text, scope) {
    this.mark(isScriptScoped(text) ? '' : scope, varName(text));
  }

  // markTarget taints what an assignment writes to: the variable, or the
  // table or object whose element or member it sets.
  markTarget(lhs, scope) {
    let n = lhs;
    while (n && n.type !== 'variable') {
      if (n.type === 'element_access' || n.type === 'member_access') n = n.namedChildren[0];
      else if (n.namedChildCount >= 1) n = n.namedChildren[n.type === 'cast_expression' ? n.namedChildCount - 1 : 0];
      else return;
    }
    if (n) this.markVar(n.text, scope);
  }

  // pipelineItem: $_ in a later element of a pipeline whose input is
  // tainted is tainted too.
  pipelineItem(chain, scope) {
    let upstream = false;
    for (const c of chain.namedChildren) {
      if (upstream) {
        this.mark(scope, '_');
        return;
      }
      upstream = this.taintedExpr(c, scope);
    }
  }

  // bindArguments taints the parameters of a script function that a
  // tainted argument is bound to: named ones by name, the rest by position.
  bindArguments(cmd, scope) {
    const name = commandName(cmd);
    const fn = name && this.fns.get(name.toLowerCase());
    if (!fn) return;
    const params = fn.params.names;
    const { named, positional, splats } = commandElements(cmd);
    const lowerFn = fn.name.toLowerCase();
    const boundByName = new Set();
    for (const p of named) {
      const target = params.find((q) => q.toLowerCase() === p.name.toLowerCase()) ||
        params.find((q) => q.toLowerCase().startsWith(p.name.toLowerCase()));
      if (!target) continue;
      boundByName.add(target.toLowerCase());
      if (p.value && this.taintedExpr(p.value, scope)) this.markParam(lowerFn, target.toLowerCase());
    }
    const rest = params.filter((q) => !boundByName.has(q.toLowerCase()));
    positional.forEach((arg, i) => {
      if (i < rest.length && this.taintedExpr(arg, scope)) this.markParam(lowerFn, rest[i].toLowerCase());
    });
    for (const s of splats) {
      if (this.isVarTainted(scope, '$' + s.name)) params.forEach((q) => this.markParam(lowerFn, q.toLowerCase()));
    }
  }

  run() {
    for (let i = 0; i < 50; i++) {
      this.changed = false;
      this.passes++;
      this.propagate();
      if (!this.changed) return;
    }
    throw new Error('taint analysis did not settle in 50 passes');
  }

  // sinks lists every place tainted data reaches code.
  sinks() {
    const found = [];
    for (const { file, node, scope } of this.items) {
      if (node.type === 'command') this.commandSink(file, node, scope, found);
      if (node.type === 'invokation_expression') this.methodSink(file, node, scope, found);
    }
    return found;
  }

  commandSink(f, cmd, scope, found) {
    const name = commandName(cmd);
    const op = invocationOperator(cmd);
    const args = () => cmd.children.some((c) => c.type === 'command_elements' && this.taintedExpr(c, scope));
    if (name === null) {
      const expr = commandNameNode(cmd);
      if (expr && this.taintedExpr(expr, scope)) {
        found.push({ file: f.name, node: cmd, message: `request data chooses the command that ${op || '&'} runs` });
      }
      return;
    }
    if (op === '' && /^[0-9]/.test(name)) return; // 1..3 | ...: an expression
    const lower = name.toLowerCase();
    if (SINK_CMDLETS.has(lower)) {
      if (args()) found.push({ file: f.name, node: cmd, message: `request data reaches ${SINK_CMDLETS.get(lower)}` });
      return;
    }
    if (lower === 'new-object') {
      const { named, positional } = commandElements(cmd);
      const entry = this.table.cmdlets.get('new-object');
      const sig = { names: entry.parameters, aliases: entry.aliases };
      const typeArg = named.find((p) => {
        const r = resolveParameter(p.name, sig);
        return r.ok && /^(TypeName|ComObject)$/.test(r.name);
      });
      const typeNode = typeArg ? typeArg.value : positional[0];
      if (typeNode && this.taintedExpr(typeNode, scope)) {
        found.push({ file: f.name, node: cmd, message: 'request data chooses the type New-Object creates' });
      }
      return;
    }
    // A native program: anything that is not a script function, a known
    // cmdlet or alias, nor Verb-Noun shaped (an unknown cmdlet is reported
    // by the command check, not as a command line).
    const native = !this.fns.has(lower) && !this.table.cmdlets.has(lower) && !this.table.aliases.has(lower) &&
      (!/^[a-z]+-[a-z0-9]+$/i.test(name) || /\.(exe|com|cmd|bat)$/i.test(name));
    if (op === '.' || op === '&' || native) {
      if (args()) found.push({ file: f.name, node: cmd, message: `request data reaches the command line of ${name}` });
    }
  }

  methodSink(f, node, scope, found) {
    const member = node.children.find((c) => c.type === 'member_name');
    if (!member || !CODE_METHODS.test(member.text)) return;
    const base = node.namedChildren[0];
    const method = member.text;
    if (/^(Create|Start)$/i.test(method)) {
      // Only [scriptblock]::Create / [Process]::Start compile or run text;
      // other Create methods (SHA256, ...) do not.
      if (!base || base.type !== 'type_literal') return;
      const type = base.text.replace(/^\[|\]$/g, '').trim();
      if (!CODE_TYPES.test(type)) return;
    }
    const argList = node.children.find((c) => c.type === 'argument_list');
    if (argList && this.taintedExpr(argList, scope)) {
      found.push({ file: f.name, node, message: `request data reaches ${node.text.split('(')[0]}(), which runs it as code` });
    }
  }
}

// checkTaint returns the sinks request data reaches, minus the reviewed
// exceptions, plus every exception that matched nothing.
export function checkTaint(files, exceptions = loadExceptions()) {
  const a = new Analysis(files);
  a.run();
  const used = new Set();
  const problems = [];
  for (const s of a.sinks()) {
    const i = exceptions.findIndex((e) => path.basename(s.file) === e.file && s.node.text.includes(e.code));
    if (i >= 0) {
      used.add(i);
      continue;
    }
    problems.push(s);
  }
  const checkedNames = new Set(files.map((f) => path.basename(f.name)));
  exceptions.forEach((e, i) => {
    if (!used.has(i) && checkedNames.has(e.file)) {
      const f = files.find((x) => path.basename(x.name) === e.file);
      problems.push({ file: f.name, node: f.tree.rootNode, message: `sink exception for "${e.code}" matches nothing: remove it from tools/pscheck/sink-exceptions.json` });
    }
  });
  return problems;
}

