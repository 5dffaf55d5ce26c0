/**
 * The named profile of the shared AWS files that AWS_PROFILE asks for, when neither file defines it.
 * The SDK then only says "Could not load credentials from any providers", which sends a user to
 * configure credentials they already have under another name.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface MissingProfile {
  profile: string;
  configFile: string;
  credentialsFile: string;
}

/** Section names of an INI file (`[profile dev]`, `[dev]`), none when it cannot be read. */
function sections(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*\[\s*([^\]]*?)\s*\]/.exec(line);
    if (m) out.push(m[1]);
  }
  return out;
}

export function missingProfile(env: NodeJS.ProcessEnv = process.env, home = os.homedir()): MissingProfile | undefined {
  const profile = env.AWS_PROFILE;
  if (!profile) return undefined;
  const configFile = env.AWS_CONFIG_FILE || path.join(home, ".aws", "config");
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, ".aws", "credentials");
  // The config file names profiles `[profile NAME]` (and the default profile `[default]`); credentials `[NAME]`.
  const inConfig = sections(configFile).some(
    (s) => s.replace(/^profile\s+/, "") === profile && (s !== profile || profile === "default"),
  );
  if (inConfig || sections(credentialsFile).includes(profile)) return undefined;
  return { profile, configFile, credentialsFile };
}
