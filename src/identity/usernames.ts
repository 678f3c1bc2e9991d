/**
 * Usernames as one canonical string (the UsernameCaseMapped profile of RFC 8265, PRECIS): width-mapped and
 * compatibility-normalised (NFKC), lower-cased, and made of letters of ONE script, so `Admin`, `ａｄｍｉｎ` and
 * `admin` are one user and `аdmin` (a Cyrillic а among Latin letters) is refused as a look-alike.
 */

export type PreparedUsername = { ok: true; username: string } | { ok: false; message: string };

const SHAPE = /^[\p{L}\p{M}\p{N}._@+-]{1,255}$/u;
export const USERNAME_SHAPE_MESSAGE = 'must be 1–255 letters, digits or . _ @ + -';
export const MIXED_SCRIPT_MESSAGE =
  'mixes letters of different scripts (such as a Cyrillic а among Latin letters); use letters of one script';

/** Case-folds and normalises without judging: the lookup key for a login name as typed. */
export function foldUsername(input: string): string {
  // NFKC maps width and compatibility forms; lower-casing can produce new sequences, so normalise once more (RFC 8265 §3.4)
  return input.normalize('NFKC').toLowerCase().normalize('NFKC');
}

/**
 * Scripts that are told apart. A letter of a script not listed counts as "other"; letters of Han, Hiragana and
 * Katakana may mix (Japanese writes them together), every other mix is refused.
 */
const SCRIPTS: [string, RegExp][] = [
  'Latin',
  'Cyrillic',
  'Greek',
  'Armenian',
  'Georgian',
  'Hebrew',
  'Arabic',
  'Syriac',
  'Thaana',
  'Devanagari',
  'Bengali',
  'Gurmukhi',
  'Gujarati',
  'Oriya',
  'Tamil',
  'Telugu',
  'Kannada',
  'Malayalam',
  'Sinhala',
  'Thai',
  'Lao',
  'Tibetan',
  'Myanmar',
  'Khmer',
  'Ethiopic',
  'Cherokee',
  'Hangul',
  'Han',
  'Hiragana',
  'Katakana',
].map((name) => [name, new RegExp(`\\p{Script=${name}}`, 'u')]);
const JAPANESE = new Set(['Han', 'Hiragana', 'Katakana']);

function scriptOf(ch: string): string {
  for (const [name, re] of SCRIPTS) if (re.test(ch)) return name;
  return 'other';
}

/** The scripts the letters of a name are written in (digits, marks and punctuation belong to none). */
export function scriptsOf(name: string): Set<string> {
  const scripts = new Set<string>();
  for (const ch of name) if (/\p{L}/u.test(ch)) scripts.add(scriptOf(ch));
  return scripts;
}

/** The canonical username, or why it cannot be one. */
export function prepareUsername(input: string): PreparedUsername {
  const username = foldUsername(input.trim());
  if (!SHAPE.test(username)) return { ok: false, message: USERNAME_SHAPE_MESSAGE };
  const scripts = [...scriptsOf(username)];
  const mixed = scripts.length > 1 && !scripts.every((s) => JAPANESE.has(s));
  if (mixed) return { ok: false, message: MIXED_SCRIPT_MESSAGE };
  return { ok: true, username };
}
