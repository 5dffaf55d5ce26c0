/**
 * Finds the event data store the monitor created (cloudtrail-lake without monitor.cloudtrailLake.eventDataStoreArn),
 * for `verify` run without --event-data-store: the stores of the Region named as the tool names its store, with
 * their tags. Read-only calls made with the local credentials; no generated role makes them.
 *
 * Which one is the tool's is decided by `toolEventDataStore`, a pure function: the name alone is no proof (anyone
 * allowed cloudtrail:CreateEventDataStore can take it in another account or Region), nor is the tag alone (the SCP
 * keeps the tool's tag from being changed on what carries it, and from being put on a role or user, but not from
 * being put on a new store). A store is taken only with the name, the tag, in an account the config expects, and
 * alone: any doubt is one line for the user, never a guess.
 */
import { type CloudTrailClient, ListEventDataStoresCommand, ListTagsCommand } from "@aws-sdk/client-cloudtrail";
import type { PermissionDeclaration } from "./permissions";

export const EVENT_DATA_STORE_LOOKUP_PERMISSIONS: PermissionDeclaration[] = [
  {
    actions: ["cloudtrail:ListEventDataStores", "cloudtrail:ListTags"],
    resource: { kind: "any", why: "ListEventDataStores takes no resource; ListTags names the stores it lists" },
    why: "verify: find the event data store the monitor created, by its name and the tool's tag",
  },
];

/** An event data store of the listed Region with the name looked for, and its tags. */
export interface NamedEventDataStore {
  arn: string;
  tags: Record<string, string>;
}

/** ListTags takes at most 20 ARNs a call (its ResourceIdList limit). */
const TAGS_PER_CALL = 20;

/** The stores of the client's Region (and account) whose name is `name`, each with its tags. */
export async function listEventDataStoresNamed(client: CloudTrailClient, name: string): Promise<NamedEventDataStore[]> {
  const arns: string[] = [];
  const tokens = new Set<string>();
  let token: string | undefined;
  do {
    const page = await client.send(new ListEventDataStoresCommand({ NextToken: token }));
    for (const store of page.EventDataStores ?? [])
      if (store.Name === name && store.EventDataStoreArn) arns.push(store.EventDataStoreArn);
    token = page.NextToken;
    // A token seen before would list the same pages forever.
    if (token !== undefined && tokens.has(token)) break;
    if (token !== undefined) tokens.add(token);
  } while (token);
  const found: NamedEventDataStore[] = [];
  for (let i = 0; i < arns.length; i += TAGS_PER_CALL) {
    const batch = arns.slice(i, i + TAGS_PER_CALL);
    const r = await client.send(new ListTagsCommand({ ResourceIdList: batch }));
    const tagsOf = new Map((r.ResourceTagList ?? []).map((t) => [t.ResourceId, t.TagsList ?? []]));
    for (const arn of batch)
      found.push({ arn, tags: Object.fromEntries((tagsOf.get(arn) ?? []).map((t) => [t.Key ?? "", t.Value ?? ""])) });
  }
  return found;
}

/** What the tool's store must be: its name and tags, and the accounts it may be in (none known: any). */
export interface ToolStoreExpectation {
  name: string;
  region: string;
  tags: Readonly<Record<string, string>>;
  /** Each account the config expects the store in, with the config key that names it. */
  accounts: { id: string; key: string }[];
}

const accountOf = (arn: string): string => arn.split(":")[4] ?? "";

/** The stores found that are the tool's: every tag of the tool, in an expected account (when the config names any). */
function isToolStore(store: NamedEventDataStore, expected: ToolStoreExpectation): boolean {
  const tagged = Object.entries(expected.tags).every(([key, value]) => store.tags[key] === value);
  const inAccount = expected.accounts.length === 0 || expected.accounts.some((a) => a.id === accountOf(store.arn));
  return tagged && inAccount;
}

/** Why one store named as the tool's is not taken: its missing tag, or its account. */
function notTheTools(store: NamedEventDataStore, expected: ToolStoreExpectation): string {
  const missing = Object.entries(expected.tags).filter(([key, value]) => store.tags[key] !== value);
  if (missing.length > 0) return `${store.arn} has no tag ${missing.map(([k, v]) => `${k}=${v}`).join(", ")}`;
  const accounts = expected.accounts.map((a) => `${a.key} ${a.id}`).join(" or ");
  return `${store.arn} is in account ${accountOf(store.arn)}, not ${accounts}`;
}

/**
 * The tool's store among those found by its name, or the one line saying why none is taken: none found, one or
 * more with the name that are not the tool's (each with why), or several that all look like it.
 */
export function toolEventDataStore(
  found: NamedEventDataStore[],
  expected: ToolStoreExpectation,
): { arn: string } | { problem: string } {
  const named = `named ${expected.name} in ${expected.region}`;
  const tools = found.filter((s) => isToolStore(s, expected));
  if (tools.length === 1) return { arn: tools[0].arn };
  if (tools.length > 1)
    return {
      problem: `${tools.length} event data stores ${named} carry the tool's tag: ${tools.map((s) => s.arn).join(", ")}`,
    };
  if (found.length === 0) return { problem: `no event data store ${named} in the account of these credentials` };
  return {
    problem: `no event data store ${named} is the tool's: ${found.map((s) => notTheTools(s, expected)).join("; ")}`,
  };
}
