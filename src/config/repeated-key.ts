/**
 * JSON.parse keeps only the last of two equal keys in one object, so a config with "scp" twice loses the first
 * block's settings (a model allow-list, say) without a word. This finds the first such key in valid JSON.
 */

/**
 * The strings (with their escapes) and brackets and commas of `text`: all that tells a key from a value. A loop,
 * not a regular expression: V8's backtracking over a string of some million characters overflows its stack, and
 * a config with one long value would fail as "Maximum call stack size exceeded" instead of being read.
 */
function* tokens(text: string): Generator<{ token: string; index: number }> {
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      yield { token: text.slice(i, end + 1), index: i };
      i = end;
    } else if (c === "{" || c === "}" || c === "[" || c === "]" || c === ",") yield { token: c, index: i };
  }
}

/** The first key an object of `text` (valid JSON) names twice, with where its second use starts; or undefined. */
export function repeatedKey(text: string): { key: string; position: number } | undefined {
  // One entry per open object (its keys so far) or array (undefined); a string right after { or , is a key.
  const open: (Set<string> | undefined)[] = [];
  let keyNext = false;
  for (const { token, index } of tokens(text)) {
    const c = token[0];
    if (c === '"') {
      const keys = open.at(-1);
      if (!keyNext || !keys) continue;
      keyNext = false;
      // Decoded, as JSON.parse compares keys: "\u0061" and "a" are one key.
      const key = token.includes("\\") ? (JSON.parse(token) as string) : token.slice(1, -1);
      if (keys.has(key)) return { key, position: index };
      keys.add(key);
    } else if (c === "{" || c === "[") {
      open.push(c === "{" ? new Set() : undefined);
      keyNext = c === "{";
    } else if (c === "}" || c === "]") {
      open.pop();
      keyNext = false;
    } else keyNext = open.at(-1) !== undefined;
  }
  return undefined;
}
