// One SIGTERM or SIGINT is one graceful shutdown, however it arrives: to `npm start`'s whole process group (a
// terminal's Ctrl-C, `kill -TERM -<pgid>`), delivered twice (by the group and forwarded by npm), or to npm
// alone (a supervisor that knows one pid). Each case runs the real `npm start` under load over a file store in
// a temporary directory and checks the server's "stopped gracefully" record, npm's exit code 0 and a snapshot
// at the journal's last seq. `npm run signals:long` repeats these many times and prints the figures.
import { describe, expect, it } from 'vitest';
import { DUPLICATE_SIGNAL_WINDOW_MS, ShutdownSignalGate, forcedExitCode } from '../../server/shutdown-signals.ts';
import { runSignalStop, type SignalStopOptions } from './signal-stop.ts';

describe('shutdown signal gate', () => {
  it('starts one shutdown, treats the same request within the window as a duplicate, and forces after it', () => {
    const gate = new ShutdownSignalGate(DUPLICATE_SIGNAL_WINDOW_MS);
    expect(gate.receive('SIGTERM', 10_000)).toEqual({ action: 'shutdown' });
    expect(gate.receive('SIGTERM', 10_001)).toEqual({ action: 'duplicate', sinceFirstMs: 1 });
    expect(gate.receive('SIGINT', 10_000 + DUPLICATE_SIGNAL_WINDOW_MS - 1)).toMatchObject({ action: 'duplicate' });
    expect(gate.receive('SIGINT', 10_000 + DUPLICATE_SIGNAL_WINDOW_MS)).toEqual({ action: 'force', sinceFirstMs: DUPLICATE_SIGNAL_WINDOW_MS, exitCode: 130 });
  });

  it('forces with 128 + the signal number, as a shell reports a process a signal ended', () => {
    expect(forcedExitCode('SIGTERM')).toBe(143);
    expect(forcedExitCode('SIGINT')).toBe(130);
  });
});

describe('npm start stops gracefully on one signal under load', () => {
  const cases: { name: string; options: Omit<SignalStopOptions, 'answersBeforeSignal' | 'seed'> }[] = [
    { name: 'SIGTERM to the process group, also delivered to the server directly', options: { signal: 'SIGTERM', target: 'group', duplicate: true } },
    { name: 'SIGINT (Ctrl-C) to the process group, also delivered to the server directly', options: { signal: 'SIGINT', target: 'group', duplicate: true } },
    { name: 'SIGTERM to npm alone', options: { signal: 'SIGTERM', target: 'leader' } },
  ];
  for (const [index, { name, options }] of cases.entries()) {
    it(name, async () => {
      const report = await runSignalStop({ ...options, answersBeforeSignal: 200, seed: 100 + index });
      const explain = `\n--- output after the signal ---\n${report.tail}`;
      expect(report.loggedForced, explain).toBe(false);
      expect(report.loggedStopped, explain).toBe(true);
      expect(report.exit, explain).toBe(0);
      expect(report.snapshotSeq, explain).toBe(report.journalSeq);
    });
  }
});
