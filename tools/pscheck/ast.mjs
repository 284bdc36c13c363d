// Helpers over the tree-sitter PowerShell syntax tree shared by the checks:
// walking, command names and their -Parameter/argument pairs, functions and
// the variable names they use. Only what the checks need, so each helper
// can say precisely which node shapes it understands.

// PlainNode is a syntax node copied out of the wasm tree once. The checks
// visit every node many times, and each property read on a web-tree-sitter
// node crosses into wasm and allocates; plain objects keep a full check of
// the agent well under a second.
class PlainNode {
  constructor(type, isNamed, isMissing, startIndex, endIndex, startPosition, source, parent) {
    this.type = type;
    this.isNamed = isNamed;
    this.isMissing = isMissing;
    this.startIndex = startIndex;
    this.endIndex = endIndex;
    this.startPosition = startPosition;
    this.parent = parent;
    this.children = [];
    this.namedChildren = [];
    this.source = source;
  }

  get namedChildCount() {
    return this.namedChildren.length;
  }

  get text() {
    return this.source.subarray(this.startIndex, this.endIndex).toString('utf8');
  }
}

// plainTree copies a web-tree-sitter tree into PlainNodes with a cursor,
// which reads each node without allocating a wasm-backed object for it.
export function plainTree(tree, text) {
  const source = Buffer.from(text, 'utf8');
  const cursor = tree.walk();
  const make = (parent) => new PlainNode(cursor.nodeType, cursor.nodeIsNamed, cursor.nodeIsMissing,
    cursor.startIndex, cursor.endIndex, cursor.startPosition, source, parent);
  const root = make(null);
  let current = root;
  for (;;) {
    if (cursor.gotoFirstChild()) {
      const child = make(current);
      current.children.push(child);
      if (child.isNamed) current.namedChildren.push(child);
      current = child;
      continue;
    }
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        cursor.delete();
        return root;
      }
      current = current.parent;
    }
    const sibling = make(current.parent);
    current.parent.children.push(sibling);
    if (sibling.isNamed) current.parent.namedChildren.push(sibling);
    current = sibling;
  }
}

export function where(node) {
  return `${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
}

// walk calls visit(node, ancestors) for every node, depth first.
export function walk(node, visit, ancestors = []) {
  visit(node, ancestors);
  ancestors.push(node);
  for (const child of node.children) walk(child, visit, ancestors);
  ancestors.pop();
}

// scopedNodes lists every node of a tree with the lower-case name of the
// function it is in ('' at script level), in document order. The checks
// visit the same trees many times; a flat list computed once is cheaper
// than re-walking and re-scanning ancestors.
const scopedCache = new WeakMap();
export function scopedNodes(root) {
  if (scopedCache.has(root)) return scopedCache.get(root);
  const out = [];
  const visit = (node, scope) => {
    out.push({ node, scope });
    const inner = node.type === 'function_statement' ? functionName(node).toLowerCase() : scope;
    for (const c of node.children) visit(c, inner);
  };
  visit(root, '');
  scopedCache.set(root, out);
  return out;
}

// nodesOfType lists every descendant of node (itself included) of a type.
export function nodesOfType(node, type) {
  const out = [];
  walk(node, (n) => {
    if (n.type === type) out.push(n);
  });
  return out;
}

// varName normalises a variable reference: no sigil ($ or @ for splats),
// no scope prefix, lower case, as PowerShell looks names up.
export function varName(text) {
  let t = text.replace(/^[$@]/, '').replace(/^\{(.*)\}$/, '$1');
  t = t.replace(/^(script|global|local|private|using):/i, '');
  return t.toLowerCase();
}

// isScriptScoped tells $script:x and $global:x apart from locals.
export function isScriptScoped(text) {
  return /^[$@](script|global):/i.test(text);
}

// commandNameNode returns the node naming the command: command_name for
// a plain name, command_name_expr for & $x / & (expr) / . path.
export function commandNameNode(cmd) {
  return cmd.children.find((c) => c.type === 'command_name' || c.type === 'command_name_expr') || null;
}

// invocationOperator returns '&', '.' or '' for a command node.
export function invocationOperator(cmd) {
  const op = cmd.children.find((c) => c.type === 'command_invokation_operator');
  return op ? op.text.trim() : '';
}

// commandName returns the plain name a command is called by, without a
// module qualifier (Microsoft.PowerShell.Utility\Write-Output), or null when
// the command is an expression (& $handler, & (...)).
export function commandName(cmd) {
  const n = commandNameNode(cmd);
  if (!n) return null;
  if (n.type === 'command_name_expr') {
    const inner = n.children.find((c) => c.type === 'command_name');
    if (!inner) return null;
    return stripModule(inner.text);
  }
  return stripModule(n.text);
}

function stripModule(name) {
  const i = name.lastIndexOf('\\');
  if (i > 0 && /^[A-Za-z][\w.]*$/.test(name.slice(0, i))) return name.slice(i + 1);
  return name;
}

// commandElements splits a command's elements into named parameters and
// positional arguments. A parameter followed by ':' takes the next element
// as its value; one followed by another parameter or nothing is a switch;
// otherwise the next element is its value (a switch given a positional
// argument is indistinguishable here, and both readings keep the argument).
export function commandElements(cmd) {
  const els = cmd.children.find((c) => c.type === 'command_elements');
  const out = { named: [], positional: [], splats: [] };
  if (!els) return out;
  const items = [];
  for (const c of els.children) {
    if (c.type === 'command_argument_sep') {
      if (c.text.trim() === ':' && items.length) items[items.length - 1].colon = true;
      continue;
    }
    if (c.type === 'comment') continue;
    items.push({ node: c });
  }
  for (let i = 0; i < items.length; i++) {
    const { node } = items[i];
    if (node.type === 'command_parameter') {
      const name = node.text.replace(/^-/, '').replace(/:$/, '');
      const next = items[i + 1];
      let value = null;
      if (next && next.node.type !== 'command_parameter') {
        value = next.node;
        i++;
      }
      out.named.push({ node, name, value });
      continue;
    }
    const splat = splatVariable(node);
    if (splat) {
      out.splats.push({ node: splat, name: varName(splat.text) });
      continue;
    }
    out.positional.push(node);
  }
  return out;
}

// splatVariable returns the variable node of an @name argument, or null.
function splatVariable(node) {
  let n = node;
  while (n && n.namedChildCount === 1 && n.type !== 'variable') n = n.namedChildren[0];
  if (n && n.type === 'variable' && n.text.startsWith('@')) return n;
  return null;
}

// functionBody returns the script_block of a function_statement.
export function functionBody(fn) {
  return fn.children.find((c) => c.type === 'script_block') || null;
}

export function functionName(fn) {
  const n = fn.children.find((c) => c.type === 'function_name');
  return n ? n.text : '';
}

// functionParams lists a function's parameter names in declaration order,
// from a param() block or a function f($a, $b) declaration, and whether it
// is an advanced function (then it also takes the common parameters).
export function functionParams(fn) {
  const names = [];
  let advanced = false;
  const body = functionBody(fn);
  const block = body ? body.children.find((c) => c.type === 'param_block') : null;
  const decl = fn.children.find((c) => c.type === 'function_parameter_declaration');
  for (const holder of [block, decl]) {
    if (!holder) continue;
    for (const attr of nodesOfType(holder, 'attribute')) {
      if (/^\[\s*(CmdletBinding|Parameter)\b/i.test(attr.text)) advanced = true;
    }
    const list = holder.children.find((c) => c.type === 'parameter_list');
    if (!list) continue;
    for (const p of list.children.filter((c) => c.type === 'script_parameter')) {
      const v = p.children.find((c) => c.type === 'variable');
      if (v) names.push(v.text.replace(/^\$/, ''));
    }
  }
  return { names, advanced };
}

// stringValue returns the value of a literal string or bare word, or null
// for anything computed.
export function stringValue(node) {
  let n = node;
  while (n && n.namedChildCount === 1 && !['string_literal', 'generic_token', 'simple_name'].includes(n.type)) {
    n = n.namedChildren[0];
  }
  if (!n) return null;
  if (n.type === 'generic_token' || n.type === 'simple_name') return n.text;
  if (n.type === 'string_literal') {
    const inner = n.namedChildren[0];
    if (!inner) return null;
    if (inner.type === 'verbatim_string_characters') return inner.text.slice(1, -1).replace(/''/g, "'");
    if (inner.type === 'expandable_string_literal' && inner.namedChildCount === 0) return inner.text.slice(1, -1);
  }
  return null;
}

// enclosingFunction returns the nearest function_statement among the
// ancestors, or null at script level.
export function enclosingFunction(ancestors) {
  for (let i = ancestors.length - 1; i >= 0; i--) {
    if (ancestors[i].type === 'function_statement') return ancestors[i];
  }
  return null;
}
