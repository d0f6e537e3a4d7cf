// The shape of the code: no run-time import cycle between any two product files, and none between top-level
// folders (type-only imports are erased at run time and do not count). A cycle makes load order matter and
// hides which part depends on which; this test names the cycle so it can be cut.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PRODUCT_FOLDERS = ['engine', 'pricing', 'effects', 'persistence', 'runtime', 'gateway', 'console', 'server', 'simulations', 'bench', 'scripts', 'examples'];

function sourceFiles(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
    }
  };
  try {
    walk(join(ROOT, folder));
  } catch {
    // A folder the project does not have.
  }
  return out;
}

/** Run-time imports of a file: `import … from`, `export … from` and `import '…'`, minus type-only ones. */
export function runtimeImports(source: string): string[] {
  const specifiers: string[] = [];
  const pattern = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*(?:from\s+)?['"]([^'"]+)['"]/g;
  for (const match of source.matchAll(pattern)) {
    const [, , typeOnly, clause, specifier] = match;
    if (typeOnly) continue;
    // `import { type A, type B } from` is erased too.
    const names = /^\{([^}]*)\}$/.exec(clause!.trim());
    if (names && names[1]!.split(',').every((name) => name.trim() === '' || name.trim().startsWith('type '))) continue;
    if (match[1] === 'export' && clause!.trim() === '') continue;
    specifiers.push(specifier!);
  }
  return specifiers;
}

function graph(): Map<string, string[]> {
  const files = PRODUCT_FOLDERS.flatMap(sourceFiles);
  const known = new Set(files);
  const edges = new Map<string, string[]>();
  for (const file of files) {
    const targets = runtimeImports(readFileSync(file, 'utf8'))
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => resolve(dirname(file), specifier))
      .filter((target) => known.has(target));
    edges.set(file, targets);
  }
  return edges;
}

/** Strongly connected components with more than one node (Tarjan), each as sorted names. */
export function cycles(edges: Map<string, string[]>): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    indexOf.set(node, index);
    low.set(node, index++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(node, Math.min(low.get(node)!, indexOf.get(next)!));
    }
    if (low.get(node) === indexOf.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfLoop = (edges.get(node) ?? []).includes(node);
      if (component.length > 1 || selfLoop) found.push(component.sort());
    }
  };
  for (const node of edges.keys()) if (!indexOf.has(node)) visit(node);
  return found;
}

describe('import structure', () => {
  it('finds a cycle when there is one (the checker itself)', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
    expect(runtimeImports(`import type { A } from './a.ts';\nimport { type B } from './b.ts';\nimport { C } from './c.ts';\nexport { D } from './d.ts';\nimport './e.ts';`)).toEqual(['./c.ts', './d.ts', './e.ts']);
  });

  it('has no run-time import cycle between product files', () => {
    const named = cycles(graph()).map((component) => component.map((file) => relative(ROOT, file)));
    expect(named).toEqual([]);
  });

  it('has no import cycle between top-level folders', () => {
    const folders = new Map<string, Set<string>>();
    for (const [file, targets] of graph()) {
      const from = relative(ROOT, file).split('/')[0]!;
      const set = folders.get(from) ?? new Set<string>();
      for (const target of targets) {
        const to = relative(ROOT, target).split('/')[0]!;
        if (to !== from) set.add(to);
      }
      folders.set(from, set);
    }
    expect(cycles(new Map([...folders].map(([folder, targets]) => [folder, [...targets]])))).toEqual([]);
  });
});
