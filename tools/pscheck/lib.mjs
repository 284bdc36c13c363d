// Checks PowerShell source against the tree-sitter PowerShell grammar and
// rejects syntax that Windows PowerShell 5.1 does not have. The host agent
// runs under 5.1, where PowerShell 7 operators either fail to parse or,
// worse, parse with another meaning ($b?.c is the property c of a variable
// named "b?" in 5.1).
import { Parser, Language } from 'web-tree-sitter';
import { createRequire } from 'node:module';
import path from 'node:path';
import v8 from 'node:v8';
import { checkCommands } from './commands.mjs';
import { checkTaint } from './taint.mjs';
import { plainTree } from './ast.mjs';

const require = createRequire(import.meta.url);

let parserPromise;

// getParser loads the grammar once; everything it needs ships inside the
// npm packages, so it works offline after `npm ci`.
export function getParser() {
  if (!parserPromise) {
    parserPromise = (async () => {
      // The grammar is 1 MB of wasm. V8 otherwise recompiles it with
      // TurboFan in the background and holds process exit for 20-40 s on
      // two cores; the baseline compiler parses a script in milliseconds.
      v8.setFlagsFromString('--liftoff-only');
      await Parser.init();
      const dir = path.dirname(require.resolve('tree-sitter-powershell/package.json'));
      const lang = await Language.load(path.join(dir, 'tree-sitter-powershell.wasm'));
      const parser = new Parser();
      parser.setLanguage(lang);
      return parser;
    })();
  }
  return parserPromise;
}

function snippet(text) {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 50 ? one.slice(0, 47) + '...' : one;
}

// PS7-only constructs the grammar accepts but 5.1 does not.
function ps7Node(node) {
  if (node.type === 'pipeline_chain_tail') {
    return '&& / || pipeline chains are PowerShell 7 only';
  }
  if (node.type === 'command_parameter' && /^-parallel$/i.test(node.text)) {
    return 'ForEach-Object -Parallel is PowerShell 7 only';
  }
  return null;
}

// PS7-only operators the grammar rejects: say so instead of "syntax error",
// so the author knows what to rewrite.
function describeError(node) {
  if (/\?\?|\?\.|\?\[|\?\s|\?=/.test(node.text) || /\?/.test(node.text)) {
    return `PowerShell 7 only operator (?? ??= ?. ?[] or ternary ?:) near "${snippet(node.text)}"`;
  }
  return `syntax error near "${snippet(node.text)}"`;
}

// syntaxProblems returns the parse, PS7-only and non-ASCII problems of one
// parsed script, as { node | line/col, message }.
function syntaxProblems(src, tree) {
  const problems = [];
  src.split('\n').forEach((line, i) => {
    const col = line.search(/[^\x00-\x7f]/);
    if (col >= 0) {
      // 5.1 reads BOM-less files as the ANSI code page and treats curly
      // quotes and dashes as operators: keep the scripts ASCII.
      problems.push({ line: i + 1, col: col + 1, message: 'non-ASCII character' });
    }
  });
  const visit = (node) => {
    if (node.type === 'ERROR') {
      problems.push({ node, message: describeError(node) });
      return; // one report per broken region
    }
    if (node.isMissing) {
      problems.push({ node, message: `missing ${node.type}` });
      return;
    }
    const ps7 = ps7Node(node);
    if (ps7) problems.push({ node, message: ps7 });
    for (const child of node.children) visit(child);
  };
  visit(tree.rootNode);
  return problems;
}

// parseFiles parses each { name, text } into a plain syntax tree, the form
// every check reads.
export async function parseFiles(files) {
  const parser = await getParser();
  return files.map((f) => {
    const tree = parser.parse(f.text);
    try {
      return { name: f.name, text: f.text, tree: { rootNode: plainTree(tree, f.text) } };
    } finally {
      tree.delete();
    }
  });
}

// checkFiles checks a set of scripts that run together (the agent is its
// files concatenated, so a function defined in one is called from another).
// It returns every problem as { file, line, col, message }, in file order.
export async function checkFiles(files) {
  const parsed = await parseFiles(files);
  const raw = [];
  for (const f of parsed) {
    for (const p of syntaxProblems(f.text, f.tree)) raw.push({ file: f.name, ...p });
  }
  raw.push(...checkCommands(parsed));
  raw.push(...checkTaint(parsed));
  const order = new Map(files.map((f, i) => [f.name, i]));
  const out = raw.map((p) => ({
    file: p.file,
    line: p.node ? p.node.startPosition.row + 1 : p.line,
    col: p.node ? p.node.startPosition.column + 1 : p.col,
    message: p.message,
  }));
  out.sort((a, b) => order.get(a.file) - order.get(b.file) || a.line - b.line || a.col - b.col);
  return out;
}

// checkSource returns the problems in one script, each "line:col: message".
export async function checkSource(src) {
  const problems = await checkFiles([{ name: 'script.ps1', text: src }]);
  return problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
}
