// `npm run signals:long`: how often one signal to `npm start` under load ends in a graceful stop (the shutdown
// snapshot at the journal's last seq, exit code 0). Each run starts the server through npm as its own process
// group, loads it, sends one signal and checks what it left (test/server/signal-stop.ts). Prints every run and
// a table; exits non-zero when any run was not graceful. Options: --runs N per case (default 8),
// --signals SIGTERM,SIGINT, --targets group,leader, --answers N (answers before the signal, default 300),
// --duplicate (also send the signal straight to the server at once: the double delivery made certain), --seed N.
import { parseArgs } from 'node:util';
import { runSignalStop, type SignalStopOptions } from '../test/server/signal-stop.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '8' },
    signals: { type: 'string', default: 'SIGTERM,SIGINT' },
    targets: { type: 'string', default: 'group' },
    answers: { type: 'string', default: '300' },
    seed: { type: 'string', default: '1' },
    duplicate: { type: 'boolean', default: false },
  },
});

const runs = Number(values.runs);
const answers = Number(values.answers);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error('--runs must be a positive integer');
if (!Number.isSafeInteger(answers) || answers < 1) throw new Error('--answers must be a positive integer');
const signals = values.signals.split(',') as SignalStopOptions['signal'][];
const targets = values.targets.split(',') as SignalStopOptions['target'][];
for (const signal of signals) if (signal !== 'SIGTERM' && signal !== 'SIGINT') throw new Error(`--signals: unknown signal ${signal}`);
for (const target of targets) if (target !== 'group' && target !== 'leader') throw new Error(`--targets: use group and/or leader, not ${target}`);

const rows: string[] = [];
let failures = 0;
for (const target of targets) {
  for (const signal of signals) {
    let graceful = 0;
    let serverGraceful = 0;
    for (let run = 1; run <= runs; run++) {
      const seed = Number(values.seed) * 1_000 + run;
      const report = await runSignalStop({ signal, target, answersBeforeSignal: answers, seed, duplicate: values.duplicate });
      if (report.graceful) graceful += 1;
      if (report.serverGraceful) serverGraceful += 1;
      process.stdout.write(
        `${signal} to ${target} run ${run}/${runs}: ${report.graceful ? 'graceful' : 'NOT graceful'} ` +
          `(server ${report.serverGraceful ? 'graceful' : 'NOT graceful'}, npm exit ${report.exit}, snapshot ${report.snapshotSeq} / journal ${report.journalSeq}, duplicates logged ${report.duplicatesLogged}${report.loggedForced ? ', forced' : ''})\n`,
      );
      if (!report.graceful) process.stdout.write(`  --- output after the signal ---\n${report.tail}\n`);
    }
    failures += runs - graceful;
    rows.push(`| ${signal} | ${target} | ${serverGraceful} of ${runs} | ${graceful} of ${runs} |`);
  }
}
process.stdout.write(`\n| signal | sent to | server stopped gracefully | ... and npm exited 0 |\n| --- | --- | --- | --- |\n${rows.join('\n')}\n`);
process.exitCode = failures === 0 ? 0 : 1;
