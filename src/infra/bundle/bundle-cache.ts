/**
 * A disk cache for the Lambda bundles, so a synth whose handler sources did not change skips esbuild
 * (~0.5-1 s a bundle). The key is a hash of everything the output depends on: esbuild's version and
 * options, the entry, package-lock.json (the bundled node_modules), and the content of every project
 * source esbuild read for the previous build (from its metafile). esbuild's output is a pure function
 * of those, so a hit returns the same bytes a build would; any changed input is a miss and a rebuild.
 *
 * A cached bundle is code the synth deploys as the monitor and the responder: whoever can write the
 * cache can run code with their roles. So the entries live in the checkout's own node_modules/.cache
 * (whoever can write there can already replace esbuild), or in BEDROCK_GUARDRAIL_BUNDLE_CACHE, and a
 * directory is used only when it is a real directory of the user running the synth that nobody else
 * can write (made 0700); otherwise every bundle is built. Deleting it only costs one build.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export interface CacheKeyParts {
  /** The package root: the entry and the inputs are relative to it. */
  root: string;
  entry: string;
  /** esbuild's version and options, and anything else the output depends on. */
  settings: unknown;
}

const sha256 = (...parts: (string | Buffer)[]): string => {
  const h = crypto.createHash("sha256");
  for (const p of parts) h.update(p).update("\0");
  return h.digest("hex");
};

/** Where the cache is for a package root: BEDROCK_GUARDRAIL_BUNDLE_CACHE, else its node_modules/.cache. */
export function bundleCacheDir(root: string, env: NodeJS.ProcessEnv = process.env): string {
  return env.BEDROCK_GUARDRAIL_BUNDLE_CACHE || path.join(root, "node_modules", ".cache", "bedrock-guardrail-bundles");
}

/** No one but `uid` and root can change `file` (a folder: can rename what is in it, unless it is sticky). */
function onlyUserOrRootCanChange(file: fs.Stats, uid: number): boolean {
  const othersMayWrite = (file.mode & 0o022) !== 0 && !(file.isDirectory() && (file.mode & 0o1000) !== 0);
  return (file.uid === uid || file.uid === 0) && !othersMayWrite;
}

/**
 * Whether `dir` may hold bundles: made (0700) when missing, then a directory (not a link) of this user
 * that nobody else can write, reached through folders and links nobody else can change (each owned by
 * this user or root, writable by no one else unless sticky, as /tmp is), along the path as given and
 * as resolved: OpenSSH checks its files' paths the same way. Where the platform has no owners and
 * modes (Windows), a directory.
 */
function isPrivateDir(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    if (!stat.isDirectory()) return false;
    if (process.platform === "win32" || process.getuid === undefined) return true;
    const uid = process.getuid();
    if (stat.uid !== uid || (stat.mode & 0o022) !== 0) return false;
    const given = path.resolve(dir);
    for (const start of [given, fs.realpathSync(given)])
      for (let at = path.dirname(start); ; at = path.dirname(at)) {
        // A link's own mode means nothing; in a sticky folder only its owner could replace it.
        const link = fs.lstatSync(at);
        if (link.isSymbolicLink() && link.uid !== uid && link.uid !== 0) return false;
        if (!onlyUserOrRootCanChange(fs.statSync(at), uid)) return false;
        if (path.dirname(at) === at) break;
      }
    return true;
  } catch {
    return false;
  }
}

function baseKey(k: CacheKeyParts): string {
  const lockfile = path.join(k.root, "package-lock.json");
  const lock = fs.existsSync(lockfile) ? fs.readFileSync(lockfile) : Buffer.alloc(0);
  return sha256(JSON.stringify(k.settings), path.relative(k.root, k.entry), lock);
}

/** The hash of the project sources the last build of this entry read, or undefined when one is gone. */
function sourcesHash(root: string, sources: string[]): string | undefined {
  const parts: (string | Buffer)[] = [];
  for (const rel of sources) {
    const file = path.join(root, rel);
    if (!fs.existsSync(file)) return undefined;
    parts.push(rel, fs.readFileSync(file));
  }
  return sha256(...parts);
}

/** An esbuild input no file holds, such as `<define:__NAME__>`. */
const isVirtualInput = (input: string): boolean => input.startsWith("<") && input.endsWith(">");

/** Writes atomically (a reader never sees half a file, and parallel synths do not clash). */
function writeAtomic(file: string, data: string | Buffer): void {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * The cached output for these inputs, or the result of `build` (which also returns the files it
 * read, relative to the root), stored for the next time.
 */
export function cachedBuild(
  k: CacheKeyParts,
  build: () => { code: Buffer; inputs: string[] },
  cacheDir = bundleCacheDir(k.root),
): { code: Buffer; hit: boolean } {
  if (!isPrivateDir(cacheDir)) return { code: build().code, hit: false };
  const base = baseKey(k);
  const manifestFile = path.join(cacheDir, `${base}.inputs.json`);
  try {
    const sources = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as string[];
    const hash = sourcesHash(k.root, sources);
    if (hash !== undefined)
      return { code: fs.readFileSync(path.join(cacheDir, `${sha256(base, hash)}.js`)), hit: true };
  } catch {
    // No manifest or no output yet (or an unreadable cache): build.
  }
  const { code, inputs } = build();
  // node_modules inputs are pinned by package-lock.json (in the base key); hash the project's own.
  // esbuild also lists virtual inputs in angle brackets (`<define:NAME>` for a define, `<runtime>`):
  // no file holds them, and what they hold is in the settings, so they are not hashed (hashing a
  // missing file would leave every build unstored: each synth bundled again, 0.35 s a handler).
  const sources = inputs.filter((f) => !f.split(/[\\/]/).includes("node_modules") && !isVirtualInput(f)).sort();
  const hash = sourcesHash(k.root, sources);
  try {
    if (hash !== undefined) writeAtomic(path.join(cacheDir, `${sha256(base, hash)}.js`), code);
    writeAtomic(manifestFile, JSON.stringify(sources));
  } catch {
    // A cache that cannot be written only costs the next build.
  }
  return { code, hit: false };
}
