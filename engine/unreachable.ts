/**
 * Marks a switch as exhaustive: adding a member to a union without handling it fails to compile, and a value that
 * slips past the types at run time (a journal written by other code) throws instead of being silently ignored.
 * The one copy for the whole project.
 */
export function unreachable(value: never): never {
  throw new Error(`unhandled case: ${JSON.stringify(value)}`);
}
