/** Reading text as typed values: the one boolean-word, ISO-date and schema-driven coercion rules. */
export { parseBooleanWord } from "./boolean-word.js";
export { type Coerced, coerceText, coerceTextLoose, containsDate, reviveParsed } from "./coerce.js";
export { type IsoDate, isoDateProblem, parseIsoDate } from "./iso-date.js";
