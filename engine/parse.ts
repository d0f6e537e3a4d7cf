// The edge between untrusted input and the engine: raw JSON-ish values become typed commands or a
// `bad_request` whose message names the field and what was wrong with it.
import type { z } from 'zod';
import { Command } from './commands.ts';
import { reject, type Rejection } from './results.ts';

export function describeIssues(error: z.ZodError, maxIssues = 5): string {
  return error.issues
    .slice(0, maxIssues)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(command)'}: ${issue.message}`)
    .join('; ');
}

export function parseCommand(raw: unknown): { ok: true; command: Command } | Rejection {
  const parsed = Command.safeParse(raw);
  if (parsed.success) return { ok: true, command: parsed.data as Command };
  return reject('bad_request', describeIssues(parsed.error));
}
