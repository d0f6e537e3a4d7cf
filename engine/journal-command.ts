// The journal's own decoder of commands. An entry in the journal is a command the engine accepted once; reading it
// back must not depend on the bounds the gateway applies to clients today. A bound tightened later (a shorter
// title, a smaller quantity, a stricter id charset) would otherwise stop recovery at the first entry written under
// the old bound, and nothing could start again without editing the journal.
//
// So the schema here is derived from the engine's command schema (`Command`, one source of truth for the shape)
// with every client-facing bound taken out: minimum and maximum values, lengths and sizes, and string patterns.
// What stays is structure: the discriminated union of command types, strict objects (an unknown field is still
// an error), types, literals and enums, integer-ness (money and quantities are never fractions), and the
// refinements the engine relies on to read its data (a time zone's offsets in order). A structurally broken
// entry is still refused, with a message the caller puts next to its seq.
//
// Entries carry a format version (see persistence/journal.ts). Entries written before versions existed are
// format 1; format 2 records the version and stores the command the same way. A later change to how commands are
// stored adds a version here with its conversion to the current shape.
import type { z } from 'zod';
import { Command } from './commands.ts';
import { describeIssues } from './parse.ts';

/** The format version this code writes. */
export const JOURNAL_COMMAND_FORMAT = 2;
/** The oldest format this code reads: entries written before versions were recorded. */
const OLDEST_FORMAT = 1;

/** Check kinds that bound a value for clients rather than describe its shape. */
const BOUND_CHECKS: ReadonlySet<string> = new Set(['greater_than', 'less_than', 'min_length', 'max_length', 'length_equals', 'min_size', 'max_size', 'multiple_of']);

interface Internals {
  _zod: { def: Record<string, unknown> & { type: string; checks?: { _zod: { def: { check: string; format?: string } } }[] } };
  clone(def: Record<string, unknown>): z.ZodType;
}

function isBound(check: { _zod: { def: { check: string; format?: string } } }): boolean {
  const { check: kind, format } = check._zod.def;
  // A pattern is a client rule (an id's charset, a currency's form); the other string formats do not occur in
  // commands, and are kept if they ever do, being a shape rather than a size.
  return BOUND_CHECKS.has(kind) || (kind === 'string_format' && format === 'regex');
}

/**
 * A copy of `schema` without bounds, recursively. Each schema is copied once (a map keeps shared sub-schemas
 * shared and ends recursion through lazy schemas).
 */
function withoutBounds(schema: z.ZodType, copies: Map<z.ZodType, z.ZodType>): z.ZodType {
  const done = copies.get(schema);
  if (done !== undefined) return done;
  const internals = schema as unknown as Internals;
  const def = { ...internals._zod.def };
  if (def.checks !== undefined) def.checks = def.checks.filter((check) => !isBound(check));
  const copy = (inner: unknown): z.ZodType => withoutBounds(inner as z.ZodType, copies);
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      def.shape = Object.fromEntries(Object.keys(shape).map((key) => [key, copy(shape[key])]));
      if (def.catchall !== undefined) def.catchall = copy(def.catchall);
      break;
    }
    case 'union':
      def.options = (def.options as z.ZodType[]).map(copy);
      break;
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'nonoptional':
    case 'readonly':
    case 'catch':
      def.innerType = copy(def.innerType);
      break;
    case 'array':
      def.element = copy(def.element);
      break;
    case 'record':
      def.keyType = copy(def.keyType);
      def.valueType = copy(def.valueType);
      break;
    case 'tuple':
      def.items = (def.items as z.ZodType[]).map(copy);
      if (def.rest) def.rest = copy(def.rest);
      break;
    case 'pipe':
      def.in = copy(def.in);
      def.out = copy(def.out);
      break;
    case 'intersection':
      def.left = copy(def.left);
      def.right = copy(def.right);
      break;
    case 'lazy': {
      const getter = def.getter as () => z.ZodType;
      def.getter = () => copy(getter());
      break;
    }
    default:
      // Leaves (string, number, boolean, literal, enum, unknown, …): only their checks change.
      break;
  }
  const result = internals.clone(def);
  copies.set(schema, result);
  return result;
}

/** The engine's command schema without its client-facing bounds. Built once, when this module loads. */
export const JournalCommand = withoutBounds(Command as unknown as z.ZodType, new Map()) as unknown as typeof Command;

export type DecodedJournalCommand = { ok: true; command: Command } | { ok: false; message: string };

/**
 * Decodes one journaled command of format `version` (undefined: an entry written before versions). Never throws:
 * anything that is not a command of a format this code reads comes back as `ok: false` with what is wrong.
 */
export function decodeJournalCommand(version: unknown, raw: unknown): DecodedJournalCommand {
  const format = version === undefined ? OLDEST_FORMAT : version;
  if (typeof format !== 'number' || !Number.isInteger(format) || format < OLDEST_FORMAT || format > JOURNAL_COMMAND_FORMAT) {
    return { ok: false, message: `journal format version ${JSON.stringify(format) ?? String(format)} is not one this code reads (${OLDEST_FORMAT}..${JOURNAL_COMMAND_FORMAT})` };
  }
  // Formats 1 and 2 store the command alike; a later format converts here before the structural check.
  const parsed = JournalCommand.safeParse(raw);
  if (parsed.success) return { ok: true, command: parsed.data as Command };
  return { ok: false, message: describeIssues(parsed.error) };
}
