// A short, single-line piece of a text: the most of a provider's answer that is ever shown, logged or kept.

/** How much of a provider's answer is ever shown or kept with a failure. */
export const EXCERPT_LENGTH = 200;

export function excerpt(text: string, max = EXCERPT_LENGTH): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max)}…`;
}
