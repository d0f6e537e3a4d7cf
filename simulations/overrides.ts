// `--set path.to.field=value`: change any parameter of a scenario from the command line without editing the
// file. The path is dotted (array items by index: `offers.0.inventory`); the value is read as YAML, so `60`,
// `true`, `90s`, `[1, 2]` and `{type: exponential, mean: 5m}` all mean what they look like. Overrides apply
// to the raw document before validation, so a bad value is reported at the same path as in the file.
import YAML from 'yaml';

export interface Override {
  text: string;
  path: string[];
  value: unknown;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;
/** Keys that would reach an object's prototype, never a scenario field. */
const FORBIDDEN = new Set(['__proto__', 'prototype', 'constructor']);

export function parseOverride(text: string): { ok: true; override: Override } | { ok: false; message: string } {
  const equals = text.indexOf('=');
  if (equals <= 0) return { ok: false, message: 'write it as path.to.field=value' };
  const path = text.slice(0, equals).trim().split('.');
  if (!path.every((segment) => SEGMENT.test(segment) && !FORBIDDEN.has(segment))) return { ok: false, message: 'the path is dotted letters, digits, _ and - (array items by index)' };
  let value: unknown;
  try {
    value = YAML.parse(text.slice(equals + 1));
  } catch (error) {
    return { ok: false, message: `the value is not YAML: ${(error as Error).message.split('\n')[0]}` };
  }
  return { ok: true, override: { text, path, value } };
}

/** Returns a copy of `document` with the field at `path` set, creating objects on the way as needed. */
export function applyOverride(document: unknown, path: readonly string[], value: unknown): { ok: true; document: unknown } | { ok: false; message: string } {
  if (path.length === 0) return { ok: false, message: 'empty path' };
  if (path.some((segment) => FORBIDDEN.has(segment))) return { ok: false, message: `"${path.join('.')}" is not a field` };
  const root: unknown = treeCopy(document ?? {});
  let node = root;
  for (let i = 0; i < path.length; i++) {
    const key = path[i]!;
    const last = i === path.length - 1;
    if (Array.isArray(node)) {
      const index = Number(key);
      if (!Number.isInteger(index) || index < 0 || index > node.length) return { ok: false, message: `${path.slice(0, i).join('.')} is a list: "${key}" must be an index from 0 to ${node.length}` };
      if (last) node[index] = value;
      else node = node[index] ??= {};
    } else if (typeof node === 'object' && node !== null) {
      const record = node as Record<string, unknown>;
      if (last) record[key] = value;
      else {
        if (typeof record[key] !== 'object' || record[key] === null) record[key] = {};
        node = record[key];
      }
    } else {
      return { ok: false, message: `${path.slice(0, i).join('.')} is not an object or a list` };
    }
  }
  return { ok: true, document: root };
}

/**
 * A deep copy in which every object appears once. YAML anchors (`mechanism: *english`) parse to one object shared
 * by several places, and structuredClone keeps that sharing: an override of `offers.0.mechanism.kind` would then
 * change every offer that shares the anchor. The scenario is plain data (objects, lists, scalars), so a tree copy
 * loses nothing.
 */
export function treeCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(treeCopy);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = treeCopy(item);
  return out;
}
