// A message being written or edited, measured as the server measures it (Unicode scalar
// values, trailing white space not counted), and what is said of one too long or empty: the
// composer and the edit box share it.

import { MAX_MESSAGE } from './actions.js';

/** How many characters before the limit the counter appears. */
export const COUNT_FROM = 400;

/** The draft's length as the server counts it. */
export function draftLength(text) {
  return [...text.trimEnd()].length;
}

/** The count shown near the limit: "3,650 of 4,000 characters". */
export function counted(length) {
  return `${length.toLocaleString()} of ${MAX_MESSAGE.toLocaleString()} characters`;
}

/** Why a draft past the limit cannot go, and what to do: `verb` is "send" or "save". */
export function overBy(length, verb) {
  const over = length - MAX_MESSAGE;
  return `Too long by ${over.toLocaleString()} ${over === 1 ? 'character' : 'characters'}: shorten it to ${verb}.`;
}

/** Near or past the limit: the counter shows. */
export function counting(length) {
  return length > MAX_MESSAGE - COUNT_FROM;
}

/** Past the limit. */
export function tooLong(length) {
  return length > MAX_MESSAGE;
}
