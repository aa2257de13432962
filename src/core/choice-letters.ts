/** Option letters of a multiple-choice problem, in order: one owner for data/ (prompts), verify/ (judging) and world/. */
export const CHOICE_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** The letter of the option at `index` (0 -> 'A'); undefined past 'Z'. */
export function choiceLetter(index: number): string | undefined {
  return Number.isInteger(index) && index >= 0 ? CHOICE_LETTERS[index] : undefined;
}

/** The option index a capital letter names ('B' -> 1); -1 for anything else (lowercase, '(B)', 'AB', ''). */
export function choiceIndex(letter: string): number {
  return letter.length === 1 ? CHOICE_LETTERS.indexOf(letter) : -1;
}
