/**
 * The config's generated interface (src/config/config-file-type.ts), the type of a construct's `config` with the
 * schema's descriptions as TSDoc: up to date with the zod schema, and the same type as the inferred
 * GuardrailConfigInput (each assignable to the other; `tsc --noEmit` checks the assertions below).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { CONFIG_INTERFACE_FILE, configInterfaceText } from "../../src/config/config-interface";
import type { GuardrailConfigFile } from "../../src/config/config-file-type";
import type { GuardrailConfigInput } from "../../src/config/schema";

/** true when each of A and B is assignable to the other; `[...]` keeps a union from being distributed. */
type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/**
 * true when the compiler finds A and B identical: also catches an optional key only one of them has, which
 * assignability allows both ways.
 */
type Identical<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

const assignableBothWays: Mutual<GuardrailConfigFile, GuardrailConfigInput> = true;
const identical: Identical<GuardrailConfigFile, GuardrailConfigInput> = true;

describe("the config's generated interface", () => {
  it(`${CONFIG_INTERFACE_FILE} is up to date (regenerate with: npm run schema)`, () => {
    const committed = fs.readFileSync(path.join(__dirname, "..", "..", CONFIG_INTERFACE_FILE), "utf8");
    expect(committed).toBe(configInterfaceText());
  });

  it("is the same type as the inferred config input (checked by tsc --noEmit)", () => {
    expect([assignableBothWays, identical]).toEqual([true, true]);
  });

  it("carries each key's description and default as TSDoc", () => {
    const text = configInterfaceText();
    expect(text).toContain(
      "    /**\n     * Name of the SCP; split documents get -2, -3, ...\n     *\n" +
        '     * @defaultValue `"bedrock-model-access-guardrail"`\n     */\n    name?: string;\n',
    );
  });
});

describe("a construct's config in an editor", () => {
  it("shows each key's description and default (the language service's quick info, as an IDE's hover)", () => {
    const ts: typeof import("typescript") = require("typescript");
    const file = path.join(__dirname, "editor-hover.ts");
    const text = [
      'import { GuardrailOrganizationPolicy } from "../../src/index";',
      "declare const stack: ConstructorParameters<typeof GuardrailOrganizationPolicy>[0];",
      'new GuardrailOrganizationPolicy(stack, "guardrail", {',
      '  config: { approvedPrincipalArns: [], scp: { name: "x" } },',
      "});",
    ].join("\n");
    const host: import("typescript").LanguageServiceHost = {
      getScriptFileNames: () => [file],
      getScriptVersion: () => "1",
      getScriptSnapshot: (f) =>
        f === file
          ? ts.ScriptSnapshot.fromString(text)
          : fs.existsSync(f)
            ? ts.ScriptSnapshot.fromString(fs.readFileSync(f, "utf8"))
            : undefined,
      getCurrentDirectory: () => __dirname,
      getCompilationSettings: () => ({ strict: true, skipLibCheck: true, types: [], resolveJsonModule: true }),
      getDefaultLibFileName: (o) => ts.getDefaultLibFilePath(o),
      fileExists: (f) => f === file || ts.sys.fileExists(f),
      readFile: (f) => (f === file ? text : ts.sys.readFile(f)),
    };
    const service = ts.createLanguageService(host);
    const hover = (at: string) => {
      const info = service.getQuickInfoAtPosition(file, text.indexOf(at) + 1);
      const tags = (info?.tags ?? []).map((t) => `@${t.name} ${ts.displayPartsToString(t.text)}`);
      return [ts.displayPartsToString(info?.documentation), ...tags].join("\n");
    };
    expect(hover("name:")).toBe(
      'Name of the SCP; split documents get -2, -3, ...\n@defaultValue `"bedrock-model-access-guardrail"`',
    );
    expect(hover("approvedPrincipalArns")).toMatch(/^ArnLike patterns on aws:PrincipalArn/);
  });
});
