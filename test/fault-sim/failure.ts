// What a failed run reports: the seed, the step and the delivery that broke a check, the run's profile, the
// check and what was seen, the last deliveries before it, and one line that replays exactly that failure.

export interface FailureContext {
  seed: number;
  step: number;
  /** Number of the delivery that failed (0 when the step failed outside a delivery, e.g. in a restore). */
  delivery: number;
  what: string;
  profile: string;
  recent: readonly string[];
  /** The run drove into the known engine bugs (known-engine-bugs.ts): its replay must too. */
  runIntoKnownBugs: boolean;
}

export function replayCommands(seed: number, steps: number, runIntoKnownBugs = false): string[] {
  const [env, flag] = runIntoKnownBugs ? ['KNOWN_BUGS=1 ', ' --known-bugs'] : ['', ''];
  return [`${env}SEED=${seed} STEPS=${steps} npx vitest run test/fault-sim`, `npm run sim:faults -- --seed ${seed} --steps ${steps} --trace${flag}`];
}

export class SimFailure extends Error {
  override name = 'SimFailure';
  /** The first line of the broken check, stable across replays (the comparison of two runs of one seed uses it). */
  readonly check: string;

  constructor(
    readonly context: FailureContext,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? (cause.name === 'CheckFailure' ? cause.message : `${cause.name}: ${cause.message}\n${cause.stack ?? ''}`) : String(cause);
    const [first, second] = replayCommands(context.seed, context.step, context.runIntoKnownBugs);
    super(
      [
        `fault simulation failed: seed ${context.seed}, step ${context.step}${context.delivery > 0 ? `, delivery ${context.delivery}` : ''} (${context.what})`,
        `run: ${context.profile}`,
        `check: ${reason}`,
        `replay: ${first}`,
        `    or: ${second}`,
        'last deliveries:',
        ...context.recent.map((line) => `  ${line}`),
      ].join('\n'),
    );
    this.check = reason.split('\n')[0]!;
  }
}
