// `npm ci --omit=dev && NODE_ENV=production npm start` installs only `dependencies`, so everything the start
// script runs and everything the server loads must come from there: the script's programs and `--import` /
// `--require` modules, and every package imported (statically or by `import()`) by a file reachable from
// server/main.ts, including the files it starts as child processes or hands to esbuild (named by
// `new URL('./file.ts', import.meta.url)`). A devDependency in any of those places works on a developer's
// machine and fails in production, so this reads package.json and the import graph instead of trusting a full
// install.
import { readFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/lib/server-process.ts';

interface PackageJson {
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  bin?: string | Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
const runtimeDependencies = new Set(Object.keys(pkg.dependencies ?? {}));

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier);
}

/** Programs provided by the runtime dependencies' `bin` entries. */
function runtimeBinaries(): Set<string> {
  const names = new Set<string>();
  for (const dependency of runtimeDependencies) {
    const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'node_modules', dependency, 'package.json'), 'utf8')) as PackageJson;
    if (typeof manifest.bin === 'string') names.add(packageOf(dependency).replace(/^@[^/]+\//, ''));
    else for (const name of Object.keys(manifest.bin ?? {})) names.add(name);
  }
  return names;
}

// Runtime imports only: `import type` and `export type` are erased and need nothing at run time.
const IMPORT_PATTERNS = [/\bnew URL\(\s*['"](\.[^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g, /^\s*import\s+(?!type\s)(?:[^'"]*?\sfrom\s+)?['"]([^'"]+)['"]/gm, /^\s*export\s+(?!type\s)[^'"]*?\sfrom\s+['"]([^'"]+)['"]/gm, /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g];

/** Every package imported at run time by the files reachable from `entry` through relative imports. */
function packagesReachableFrom(entry: string): Map<string, string> {
  const packages = new Map<string, string>();
  const seen = new Set<string>();
  const pending = [resolve(REPO_ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    for (const pattern of IMPORT_PATTERNS) {
      for (const match of source.matchAll(pattern)) {
        const specifier = match[1]!;
        if (specifier.startsWith('.')) {
          const target = resolve(dirname(file), specifier);
          if (/\.(ts|mts|js|mjs)$/.test(target) && existsSync(target)) pending.push(target);
        } else if (!isBuiltin(specifier) && !packages.has(packageOf(specifier))) {
          packages.set(packageOf(specifier), file.slice(REPO_ROOT.length));
        }
      }
    }
  }
  expect(seen.size).toBeGreaterThan(50);
  return packages;
}

describe('the production start uses runtime dependencies only', () => {
  it('every program and preloaded module of the start script comes from `dependencies`', () => {
    const binaries = runtimeBinaries();
    const commands = pkg.scripts.start!.split(/&&|\|\||;|\|/).map((command) => command.trim().split(/\s+/));
    for (const words of commands) {
      const rest = words.filter((word) => !/^[A-Z_][A-Z0-9_]*=/.test(word));
      if (rest[0] === 'exec') rest.shift();
      const program = rest[0]!;
      expect(program === 'node' || binaries.has(program), `the start script runs "${program}", which no runtime dependency provides`).toBe(true);
      for (const [index, word] of rest.entries()) {
        if (word === '--import' || word === '--require' || word === '-r') {
          const preloaded = rest[index + 1]!;
          if (preloaded.startsWith('.')) continue;
          expect(runtimeDependencies.has(packageOf(preloaded)), `the start script preloads "${preloaded}", which is not in dependencies`).toBe(true);
        }
      }
    }
  });

  it('the server runs its process, not a wrapper that relays signals, so SIGTERM to npm reaches it', () => {
    // npm's script shell (sh -c) stays between npm and the server without `exec`, and dies of a SIGTERM that
    // npm forwards to it, leaving the server running and never told.
    expect(pkg.scripts.start).toMatch(/^exec node /);
  });

  it('every package the server imports from server/main.ts on is a runtime dependency', () => {
    const notInstalled = [...packagesReachableFrom('server/main.ts')].filter(([name]) => !runtimeDependencies.has(name));
    expect(notInstalled.map(([name, importer]) => `${name} (imported by ${importer})`)).toEqual([]);
  });
});
