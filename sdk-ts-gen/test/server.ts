/**
 * The packaged Vermilion server for the tests: service/target/quarkus-app/quarkus-run.jar (or
 * $VERMILION_SERVER_JAR), run with the JDK of $JAVA_HOME on a free port over a temporary data folder (embedded
 * PostgreSQL included), and stopped with SIGTERM.
 */
import { spawn } from "node:child_process";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const DEFAULT_JAR = resolve(__dirname, "..", "..", "..", "service", "target", "quarkus-app", "quarkus-run.jar");
const DEFAULT_JVM_FLAGS =
  "--add-modules jdk.incubator.vector --add-opens=java.base/java.nio=ALL-UNNAMED " +
  "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED --enable-native-access=ALL-UNNAMED";
const STARTUP_TIMEOUT_MS = 120_000;

export interface RunningServer {
  host: string;
  port: number;
  /** The bootstrap admin key when auth is on. */
  adminKey?: string;
  stop(): Promise<void>;
}

/**
 * A free port below the ephemeral range (32768+ on Linux, 49152+ elsewhere). The server's embedded PostgreSQL
 * takes an ephemeral port of its own while starting, and could otherwise be handed the very port chosen here.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    if (await canListen(port)) return port;
  }
  throw new Error("No free port in 20000-31999");
}

function canListen(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const probe = createServer();
    probe.once("error", () => ok(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => ok(true)));
  });
}

async function heartbeatOk(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/api/v2/heartbeat`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/** Starts a server, by default with auth off; `env` adds to the environment (e.g. `VERMILION_ADMIN_KEY`). */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  env = { VERMILION_ADMIN_KEY: "", ...env };
  const jar = process.env.VERMILION_SERVER_JAR ?? DEFAULT_JAR;
  if (!existsSync(jar)) {
    throw new Error(`No packaged server at ${jar}: build it first (./mvnw -pl engine,service package -DskipTests)`);
  }
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, "bin", "java") : "java";
  const flags = (process.env.VERMILION_JVM_FLAGS ?? DEFAULT_JVM_FLAGS).split(/\s+/).filter(Boolean);
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "vermilion-sdk-ts-"));
  const logPath = join(dir, "server.log");
  const log = createWriteStream(logPath);
  const child = spawn(
    java,
    [...flags, `-Dquarkus.http.port=${port}`, `-Dvermilion.path=${join(dir, "data")}`, "-jar", jar],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, ...env } },
  );
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await heartbeatOk(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      await exited;
      const tail = existsSync(logPath) ? readFileSync(logPath, "utf8").slice(-4000) : "";
      throw new Error(`Server did not start (exit code ${child.exitCode}); log tail:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    host: "127.0.0.1",
    port,
    adminKey: env.VERMILION_ADMIN_KEY || undefined,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM"); // the server stops its embedded PostgreSQL too
        const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
        await exited;
        clearTimeout(timer);
      }
      log.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
