/** Option letters of a multiple-choice problem, in order: one owner for data/ (prompts), verify/ (judging) and world/. */
export const CHOICE_LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
