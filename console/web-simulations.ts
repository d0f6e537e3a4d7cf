// The console's simulation view, server side: the shipped scenarios (simulations/scenarios/), one in-process run at
// a time in a child process (simulation-child.ts: seconds of CPU never stall this process's sockets), its progress,
// and the reports runs leave in reports/sim/ (the CLI's folder, so `npm run sim` runs are listed too).
//
// Bounded: one run at a time, killed after RUN_LIMITS.wallMs, with a capped heap; a few short overrides; only
// shipped scenarios by name and report folders by a listed id (never a path from the request). Merchant key needed:
// a run costs CPU on the server, so it is not for anonymous callers.
import { spawn } from 'node:child_process';
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TemplatedApp } from 'uWebSockets.js';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { GatewayContext } from '../gateway/context.ts';
import { errorReply, merchantOf, route, validate, type Reply, type RequestData } from '../gateway/http-kit.ts';
import type { SimulationMessage, SimulationTask } from './simulation-child.ts';

export const RUN_LIMITS = {
  wallMs: 120_000,
  heapMb: 512,
  overridesMax: 8,
  overrideLengthMax: 200,
  reportsListed: 50,
  /** Console runs kept in reports/sim/; older console runs are deleted (CLI runs are never touched). */
  consoleReportsKept: 20,
} as const;

const SCENARIO_DIR = fileURLToPath(new URL('../simulations/scenarios/', import.meta.url));
const CHILD = fileURLToPath(new URL('./simulation-child.ts', import.meta.url));
/** Where `npm run sim` writes by default (relative to the working directory, as the CLI does). */
const REPORTS_DIR = join(process.cwd(), 'reports', 'sim');
const CONSOLE_RUN_SUFFIX = '-console-';
// Lines of the child's stdout that carry a message start with this (simulation-child.ts, MESSAGE_PREFIX).
const MESSAGE_PREFIX = '@sim ';
const SAFE_ID = /^[A-Za-z0-9._-]{1,120}$/;

const RunBody = z.strictObject({
  scenario: z.string().regex(SAFE_ID),
  set: z.array(z.string().min(3).max(RUN_LIMITS.overrideLengthMax).regex(/^[A-Za-z0-9_.\[\]]+=/, 'write path=value')).max(RUN_LIMITS.overridesMax).default([]),
  seed: z.number().int().min(0).max(0xffff_ffff).optional(),
});

export interface RunState {
  runId: number;
  scenario: string;
  state: 'running' | 'done' | 'failed';
  fraction: number;
  variant: string;
  startedAtMs: number;
  finishedAtMs: number | null;
  /** The report folder's id once done. */
  reportId: string | null;
  message: string | null;
}

interface ScenarioEntry {
  name: string;
  file: string;
  description: string | null;
}

export function registerSimulationRoutes(app: TemplatedApp, ctx: GatewayContext): void {
  let current: RunState | null = null;
  let runs = 0;
  const read = { readBody: false };
  const withMerchant = (handler: (request: RequestData) => Reply | Promise<Reply>) => (request: RequestData) => {
    const merchant = merchantOf(ctx, request);
    return merchant.ok ? handler(request) : merchant.reply;
  };

  const start = async (request: RequestData): Promise<Reply> => {
    const body = validate(RunBody, request.body ?? {});
    if (!body.ok) return body.reply;
    if (current?.state === 'running') return errorReply('unavailable', `A simulation (${current.scenario}) is running; one runs at a time. Wait for it to finish.`);
    const scenario = (await listScenarios()).find((entry) => entry.name === body.value.scenario);
    if (!scenario) return errorReply('bad_request', `scenario: no shipped scenario "${body.value.scenario}"`);
    const reportId = `${scenario.name}${CONSOLE_RUN_SUFFIX}${new Date(ctx.clock()).toISOString().replace(/[:.]/g, '-')}`;
    const task: SimulationTask = { scenarioPath: join(SCENARIO_DIR, scenario.file), outDir: join(REPORTS_DIR, reportId), set: body.value.set, ...(body.value.seed !== undefined ? { seed: body.value.seed } : {}) };
    const run: RunState = { runId: ++runs, scenario: scenario.name, state: 'running', fraction: 0, variant: '', startedAtMs: ctx.clock(), finishedAtMs: null, reportId: null, message: null };
    current = run;
    const finish = (state: 'done' | 'failed', message: string | null): void => {
      if (run.state !== 'running') return;
      Object.assign(run, { state, message, finishedAtMs: ctx.clock(), fraction: state === 'done' ? 1 : run.fraction, reportId: state === 'done' ? reportId : null });
      if (state === 'done') void pruneConsoleReports().catch((error: unknown) => ctx.logger.warn({ err: error }, 'could not prune old console reports'));
    };
    const proc = spawn(process.execPath, [`--max-old-space-size=${RUN_LIMITS.heapMb}`, '--import', 'tsx', CHILD, JSON.stringify(task)], { stdio: ['ignore', 'pipe', 'pipe'] });
    // A run must not outlive the process that started it.
    const killOnExit = (): void => void proc.kill('SIGKILL');
    process.once('exit', killOnExit);
    const killer = setTimeout(() => {
      proc.kill('SIGKILL');
      finish('failed', `Stopped after ${RUN_LIMITS.wallMs / 1_000} s of wall time; make the run smaller (e.g. duration=10m).`);
    }, RUN_LIMITS.wallMs);
    killer.unref();
    let buffered = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      for (let newline = buffered.indexOf('\n'); newline >= 0; newline = buffered.indexOf('\n')) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line.startsWith(MESSAGE_PREFIX)) onMessage(JSON.parse(line.slice(MESSAGE_PREFIX.length)) as SimulationMessage);
      }
      // Bounded: a child printing without newlines cannot grow this without limit.
      if (buffered.length > 65_536) buffered = '';
    });
    proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-2_000);
    });
    const onMessage = (message: SimulationMessage): void => {
      switch (message.type) {
        case 'progress':
          run.fraction = message.fraction;
          run.variant = message.variant;
          return;
        case 'done':
          return finish('done', null);
        case 'failed':
          return finish('failed', message.message);
        default:
          return message satisfies never;
      }
    };
    proc.on('exit', (code) => {
      clearTimeout(killer);
      process.off('exit', killOnExit);
      finish('failed', `The simulation process stopped (exit ${code ?? 'signal'}) before reporting: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`);
    });
    return { status: 201, body: { run } };
  };

  app.get('/console/simulations', route(ctx, 'console_simulations', read, withMerchant(async () => ({ status: 200, body: { scenarios: await listScenarios(), reports: await listReports(), run: current } }))));
  app.post('/console/simulations/runs', route(ctx, 'console_simulation_run', { readBody: true }, withMerchant(start)));
  app.get('/console/simulations/runs/current', route(ctx, 'console_simulation_state', read, withMerchant(() => ({ status: 200, body: { run: current } }))));
  app.get('/console/reports/:id/report.json', route(ctx, 'console_report', read, withMerchant((request) => reportFile(request.params[0] ?? '', 'json'))));
  // Opened as a link in a new tab, which cannot carry the key: the page holds simulated data only.
  app.get('/console/reports/:id/report.html', route(ctx, 'console_report', read, (request) => reportFile(request.params[0] ?? '', 'html')));
}

async function listScenarios(): Promise<ScenarioEntry[]> {
  const files = (await readdir(SCENARIO_DIR)).filter((file) => /\.(ya?ml|json)$/.test(file)).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(SCENARIO_DIR, file), 'utf8');
      const parsed = (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as { name?: unknown; description?: unknown } | null;
      return { name: typeof parsed?.name === 'string' ? parsed.name : basename(file).replace(/\.\w+$/, ''), file, description: typeof parsed?.description === 'string' ? parsed.description : null };
    }),
  );
}

/** Report folders under reports/sim/, newest first. */
async function listReports(): Promise<{ id: string; modifiedMs: number }[]> {
  let names: string[];
  try {
    names = await readdir(REPORTS_DIR);
  } catch {
    return [];
  }
  const found = await Promise.all(
    names
      .filter((name) => SAFE_ID.test(name))
      .map(async (id) => {
        try {
          return { id, modifiedMs: (await stat(join(REPORTS_DIR, id, 'report.json'))).mtimeMs };
        } catch {
          return null;
        }
      }),
  );
  return found.filter((entry) => entry !== null).sort((a, b) => b.modifiedMs - a.modifiedMs).slice(0, RUN_LIMITS.reportsListed);
}

async function reportFile(id: string, kind: 'json' | 'html'): Promise<Reply> {
  if (!SAFE_ID.test(id) || !(await listReports()).some((report) => report.id === id)) return errorReply('not_found', `No report "${id}".`);
  const body = await readFile(join(REPORTS_DIR, id, `report.${kind}`), 'utf8');
  if (kind === 'json') return { status: 200, body, contentType: 'application/json; charset=utf-8' };
  // The report is a self-contained page with inline styles and no script: allow exactly that.
  return { status: 200, body, contentType: 'text/html; charset=utf-8', headers: { 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:", 'x-content-type-options': 'nosniff' } };
}

async function pruneConsoleReports(): Promise<void> {
  const consoleRuns = (await listReports()).filter((report) => report.id.includes(CONSOLE_RUN_SUFFIX));
  for (const old of consoleRuns.slice(RUN_LIMITS.consoleReportsKept)) await rm(join(REPORTS_DIR, old.id), { recursive: true, force: true });
}
