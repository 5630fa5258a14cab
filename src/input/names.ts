import { distance } from 'fastest-levenshtein';

/** How far a typed name may be from a known one to be suggested (letters added, removed or changed). */
const MAX_EDITS = 2;

/**
 * The known name a mistyped one was probably meant to be: the closest within two edits (case
 * ignored; the first of equally close ones), for "did you mean" hints on the keys of input files.
 * Fewer edits than half the typed name's letters too: otherwise every short key is "near" another.
 */
export function nearestName(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: { candidate: string; edits: number } | undefined;
  for (const candidate of known) {
    const edits = distance(candidate.toLowerCase(), lower);
    if (edits > MAX_EDITS || edits * 2 >= lower.length) continue;
    if (best === undefined || edits < best.edits) best = { candidate, edits };
  }
  return best?.candidate;
}

/** ` (did you mean "platformFee"?)` for `platfromFee`, or '' when nothing known is near. */
export function didYouMean(name: string, known: readonly string[]): string {
  const near = nearestName(name, known);
  return near === undefined ? '' : ` (did you mean "${near}"?)`;
}

/**
 * The one wording of a refused key, everywhere unknown fields are refused: `unknown field (did you
 * mean "platformFee"?)`, or with `otherwise` when nothing known is near.
 */
export function unknownFieldReason(name: string, known: Iterable<string>, otherwise = ''): string {
  const hint = didYouMean(name, [...known]);
  return `unknown field${hint || (otherwise ? ` ${otherwise}` : '')}`;
}
