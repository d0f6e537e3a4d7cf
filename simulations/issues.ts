// zod issues as `path: message` lines a person can act on. Two things zod leaves vague are made precise: an
// unknown field is named in the path, and a value that matches none of a union's shapes is explained by the shape
// it came closest to (the one whose own type matched), instead of a bare "Invalid input".
import type { z } from 'zod';

export interface FieldProblem {
  path: string;
  message: string;
}

const PROBLEMS_MAX = 50;

export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path].map(String);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push({ path: [...path, key].join('.'), message: 'is not a field of this object' });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = closestBranch(issue.errors);
      if (closest) problems.push(...describeIssues(closest, path));
      else problems.push({ path: path.join('.'), message: issue.message });
    } else {
      problems.push({ path: path.join('.'), message: issue.message });
    }
    if (problems.length >= PROBLEMS_MAX) break;
  }
  return problems.slice(0, PROBLEMS_MAX);
}

/** The branch that failed deeper than "wrong type altogether", or null when every branch failed at its root. */
function closestBranch(branches: readonly (readonly z.core.$ZodIssue[])[]): readonly z.core.$ZodIssue[] | null {
  const wrongShape = (issue: z.core.$ZodIssue) => issue.path.length === 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_union');
  const plausible = branches.filter((issues) => !issues.every(wrongShape));
  return plausible.length >= 1 ? plausible[0]! : null;
}
