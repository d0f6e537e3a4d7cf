// From a scenario file (or an object) to validated, runnable variants. Order: parse JSON or YAML, apply the
// caller's overrides (`--set path=value`), then for each variant its own overrides, read recorded traces, and
// validate. Problems come back all at once, each naming the field (`shoppers.arrival.rate: must be > 0`).
import { readFileSync } from 'node:fs';
import { basename, dirname, extname, resolve } from 'node:path';
import YAML from 'yaml';
import { parseTraceText } from './arrivals.ts';
import { describeIssues } from './issues.ts';
import { applyOverride, parseOverride, type Override } from './overrides.ts';
import { Scenario } from './scenario-schema.ts';

/** A scenario that cannot run: every problem found, each prefixed with the field it is about. */
export class ScenarioError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`);
    this.name = 'ScenarioError';
  }
}

export interface RunnableVariant {
  /** `baseline` when the scenario has no variants. */
  name: string;
  description: string | null;
  scenario: Scenario;
}

export interface LoadedScenario {
  /** The file's name (no directory: reports must not depend on where the file sat), or `(object)`. */
  source: string;
  /** The scenario after the caller's overrides, before any variant's. */
  base: Scenario;
  variants: RunnableVariant[];
  /** The caller's overrides, as written, for the report. */
  overrides: string[];
}

export interface LoadOptions {
  /** `path=value` strings (value in YAML/JSON: `3`, `true`, `"90s"`, `[1,2]`, `{type: fixed, value: 5}`). */
  set?: readonly string[];
  /** Replaces the scenario's seed. */
  seed?: number;
  /** Where relative trace files are found (a file's own directory by default; the working directory for objects). */
  baseDir?: string;
  /** Name used in error messages and the report. */
  source?: string;
}

/** Parses a scenario file's text; YAML is a superset of JSON, but `.json` files get JSON's stricter parser. */
export function parseScenarioText(text: string, source: string): unknown {
  try {
    return extname(source).toLowerCase() === '.json' ? JSON.parse(text) : YAML.parse(text, { prettyErrors: true });
  } catch (error) {
    throw new ScenarioError(source, [`cannot be read: ${(error as Error).message.split('\n')[0]}`]);
  }
}

export function loadScenarioFile(path: string, options: LoadOptions = {}): LoadedScenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(basename(path), [`cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  const source = options.source ?? basename(path);
  return loadScenario(parseScenarioText(text, source), { baseDir: dirname(resolve(path)), ...options, source });
}

/** Validates a scenario given as data (what a file parses to). */
export function loadScenario(raw: unknown, options: LoadOptions = {}): LoadedScenario {
  const source = options.source ?? '(object)';
  const baseDir = options.baseDir ?? process.cwd();
  const overrides: Override[] = [];
  const problems: string[] = [];
  for (const text of options.set ?? []) {
    const parsed = parseOverride(text);
    if (parsed.ok) overrides.push(parsed.override);
    else problems.push(`--set ${text}: ${parsed.message}`);
  }
  if (problems.length > 0) throw new ScenarioError(source, problems);

  let document = structuredClone(raw);
  for (const override of overrides) {
    const applied = applyOverride(document, override.path, override.value);
    if (!applied.ok) problems.push(`--set ${override.text}: ${applied.message}`);
    else document = applied.document;
  }
  if (options.seed !== undefined) document = withField(document, 'seed', options.seed);
  if (problems.length > 0) throw new ScenarioError(source, problems);

  const base = validate(document, baseDir, '', problems);
  if (!base) throw new ScenarioError(source, problems);

  const variants: RunnableVariant[] = [];
  for (const [i, variant] of (base.variants ?? []).entries()) {
    let variantDocument = structuredClone(document);
    for (const [path, value] of Object.entries(variant.set)) {
      const applied = applyOverride(variantDocument, path.split('.'), value);
      if (!applied.ok) problems.push(`variants.${i}.set.${path}: ${applied.message}`);
      else variantDocument = applied.document;
    }
    const scenario = validate(variantDocument, baseDir, `variant "${variant.name}": `, problems);
    if (scenario) variants.push({ name: variant.name, description: variant.description ?? null, scenario });
  }
  if (problems.length > 0) throw new ScenarioError(source, problems);
  if (variants.length === 0) variants.push({ name: 'baseline', description: null, scenario: base });
  return { source, base, variants, overrides: overrides.map((o) => o.text) };
}

function validate(document: unknown, baseDir: string, prefix: string, problems: string[]): Scenario | null {
  const before = problems.length;
  const withTraces = readTraceFiles(document, baseDir, problems, prefix);
  // A trace that could not be read would only add "a trace needs offsets": its own problem says more.
  if (problems.length > before) return null;
  const parsed = Scenario.safeParse(withTraces);
  if (parsed.success) return parsed.data;
  for (const error of describeIssues(parsed.error.issues)) problems.push(`${prefix}${error.path || '(scenario)'}: ${error.message}`);
  return null;
}

/** Replaces each trace process's `file` with the offsets it holds (the file name stays for the report). */
function readTraceFiles(document: unknown, baseDir: string, problems: string[], prefix: string): unknown {
  const shoppers = isRecord(document) ? document.shoppers : undefined;
  if (!isRecord(shoppers)) return document;
  const arrival = shoppers.arrival;
  const list = Array.isArray(arrival) ? arrival : [arrival];
  const read = list.map((process, i) => {
    if (!isRecord(process) || process.type !== 'trace' || typeof process.file !== 'string' || process.offsets !== undefined) return process;
    const where = `${prefix}shoppers.arrival${Array.isArray(arrival) ? `.${i}` : ''}.file`;
    let text: string;
    try {
      text = readFileSync(resolve(baseDir, process.file), 'utf8');
    } catch (error) {
      problems.push(`${where}: cannot read "${process.file}" (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
      return process;
    }
    const parsed = parseTraceText(text);
    if (!parsed.ok) {
      problems.push(`${where}: ${parsed.message}`);
      return process;
    }
    return { ...process, offsets: parsed.offsets };
  });
  return { ...(document as Record<string, unknown>), shoppers: { ...shoppers, arrival: Array.isArray(arrival) ? read : read[0] } };
}

function withField(document: unknown, key: string, value: unknown): unknown {
  return isRecord(document) ? { ...document, [key]: value } : document;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
