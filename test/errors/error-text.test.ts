/** The one error vocabulary: every thrown value becomes one line that says what failed, in words. */
import fc from "fast-check";
import { errorKind, errorText, jsonErrorText, MAX_MESSAGE_CHARS, oneLine } from "../../src/errors/error-text";

const err = (name: string, message: string, extra: object = {}) => Object.assign(new Error(message), { name }, extra);

describe("errorText", () => {
  it.each([
    [err("CredentialsProviderError", "Could not load credentials from any providers"), /^no AWS credentials found: /],
    [err("ExpiredTokenException", "The security token included in the request is expired"), /refresh them/],
    [
      err("Error", "getaddrinfo ENOTFOUND sts.us-east-1.amazonaws.com", {
        code: "ENOTFOUND",
        hostname: "sts.us-east-1.amazonaws.com",
      }),
      /^cannot reach AWS \(ENOTFOUND sts\.us-east-1\.amazonaws\.com\): check the network/,
    ],
    [err("AccessDeniedException", "not authorized to perform iam:ListAccessKeys"), /^access denied \(Access/],
    [err("ThrottlingException", "Rate exceeded"), /^throttled after the SDK's retries/],
    [err("LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2"), /^quota reached \(LimitExceeded\)/],
    [err("NoSuchEntity", "The user with name x cannot be found."), /^not found \(NoSuchEntity\)/],
    [err("Error", "ENOENT: no such file or directory, open 'x'", { code: "ENOENT" }), /^no such file or directory$/],
    [
      err("Error", "EISDIR: illegal operation on a directory, read", { code: "EISDIR" }),
      /^is a directory, not a file$/,
    ],
    [err("Error", "ENOSPC: no space left on device, write", { code: "ENOSPC" }), /^no space left on the device$/],
    [err("Error", "unexpected end of file", { code: "Z_BUF_ERROR" }), /^corrupt or truncated gzip: /],
    [err("TypeError", "x is not a function"), /^TypeError: x is not a function$/],
    [err("Error", "plain"), /^plain$/],
    ["a string", /^a string$/],
  ])("%s", (e, text) => {
    const line = errorText(e);
    expect(line).toMatch(text);
    expect(line).not.toMatch(/\n|\s{2}|\bat .*\(.*:\d+:\d+\)/);
  });

  it("tells a rate limit from a quota in Organizations' LimitExceededException", () => {
    expect(errorKind(err("LimitExceededException", "x", { Reason: "TOO_MANY_REQUESTS" }))).toBe("other");
    expect(errorKind(err("LimitExceededException", "x", { Reason: "ACCOUNT_NUMBER_LIMIT_EXCEEDED" }))).toBe("quota");
  });

  it("never echoes a long message in full, and keeps one line", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 5000 }), (message) => {
        const line = errorText(new Error(message));
        expect(line).not.toContain("\n");
        expect(line.length).toBeLessThanOrEqual(MAX_MESSAGE_CHARS + 40);
      }),
    );
    expect(oneLine("x".repeat(100_000))).toMatch(/\.\.\. \(99700 more characters\)$/);
  });
});

describe("jsonErrorText", () => {
  const at = (text: string) => {
    try {
      JSON.parse(text);
    } catch (e) {
      return jsonErrorText(text, e);
    }
    throw new Error("parsed");
  };

  it("names the line and column of the first bad character, once", () => {
    expect(at('{\n  "a": [1, 2 3]\n}')).toBe("line 2, column 14: Expected ',' or ']' after array element");
    expect(at('{\n  "a": }')).toBe("line 2, column 8: Unexpected token '}'");
    expect(at('{"a":1')).toBe("line 1, column 7: Expected ',' or '}' after property value");
    expect(at("")).toBe("line 1, column 1: Unexpected end of JSON input");
  });

  it("writes a control character of the input escaped, never as such to the terminal", () => {
    expect(at("\x1b]0;title\x07{}")).toBe("line 1, column 1: Unexpected token '\\u001b'");
  });

  it("finds the position of a character inserted into valid JSON", () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), (json, n) => {
        const text = JSON.stringify(JSON.parse(json), null, 2);
        const insertAt = n % (text.length + 1);
        const broken = `${text.slice(0, insertAt)}}}${text.slice(insertAt)}`;
        let parsed = true;
        try {
          JSON.parse(broken);
        } catch {
          parsed = false;
        }
        fc.pre(!parsed);
        const where = /^line (\d+), column (\d+): /.exec(at(broken));
        expect(where).not.toBeNull();
        const before = broken
          .split("\n")
          .slice(0, Number(where![1]) - 1)
          .join("\n").length;
        const offset = (Number(where![1]) > 1 ? before + 1 : 0) + Number(where![2]) - 1;
        // The parser stops at the inserted characters or, inside a string, no earlier than them.
        expect(offset).toBeGreaterThanOrEqual(insertAt);
      }),
    );
  });
});
