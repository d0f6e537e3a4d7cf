/** For exhaustive switches: adding a case to a union makes every switch that forgot it a type error. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
