const TRUE = new Set(["1", "true", "t", "yes", "y", "on"]);
const FALSE = new Set(["0", "false", "f", "no", "n", "off"]);

/**
 * core4's words for a boolean, in any case and ignoring surrounding space: yes/y/on/1/true/t and
 * no/n/off/0/false/f. Undefined for anything else, for the caller to reject with its own message.
 */
export function parseBooleanWord(value: string): boolean | undefined {
  const word = value.trim().toLowerCase();
  if (TRUE.has(word)) return true;
  if (FALSE.has(word)) return false;
  return undefined;
}
