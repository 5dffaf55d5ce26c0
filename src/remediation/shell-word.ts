/**
 * Commands printed for a person to paste (undo lines, manual steps) carry values from the finding, which is
 * untrusted input: each value goes in as one shell word, so pasting it runs that command and nothing else.
 */
export const shellWord = (text: string): string =>
  /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
