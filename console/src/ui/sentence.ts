// Messages from the API and from this side, read as sentences: a capital first letter and a full stop.
// The server's texts are fragments so that they compose: "the user alice exists already", or a predicate that
// follows the field's name ("is required", "must be 3–255 letters"). A predicate gets its field's label as subject
// when there is one ("Client ID must be …"); a first word that is not a plain word (a URI, `$ctx.num`) keeps its case.

const PREDICATE = /^(is|are|was|were|must|may|can|cannot|can't|should|has|have|does|do|needs?|at (most|least))\b/;

export function asSentence(text: string, subject?: string): string {
  let t = text.trim();
  if (t === '') return t;
  if (subject && PREDICATE.test(t)) t = `${subject.trim()} ${t}`;
  else if (/^[a-z][a-z'’-]*[,:;]?(\s|$)/.test(t)) t = t[0]!.toUpperCase() + t.slice(1);
  return /[.!?…:)"”]$/.test(t) ? t : `${t}.`;
}

/** A message after a field's name in code (`clientSecret` must be …): a predicate stays lower case. */
export function afterName(text: string): string {
  const t = text.trim();
  if (!PREDICATE.test(t)) return asSentence(t);
  return /[.!?…:)"”]$/.test(t) ? t : `${t}.`;
}
