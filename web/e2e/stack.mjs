// A private gescom for the browser tests: its own database, NATS stream and subject
// prefix, development key pair, first admin and free ports; command-api, projector and
// read-api as child processes. `stop()` kills them, drops the database, deletes the
// streams and the keys.
//
// Binaries: $GESCOM_E2E_BIN (a directory holding command-api, read-api, projector), else
// `cargo build --bins` in the repository and a copy of the three into a private
// directory (other builds sharing CARGO_TARGET_DIR may overwrite the originals meanwhile).
import { spawn, execFile } from "node:child_process";
import { mkdtemp, copyFile, rm, mkdir, open } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createServer } from "node:net";
import { promisify } from "node:util";
import { deleteStreams, streamNames } from "./nats.mjs";

const run = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const PREFIX = "gescom_web_e2e_";
const STREAM_PREFIX = "GESCOM_WEB_E2E_";

export const ADMIN_EMAIL = "admin@e2e.gescom.local";
export const ADMIN_PASSWORD = "first admin password for the browser tests";

function log(message) {
  console.log(`[stack] ${message}`);
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function psql(adminUrl, sql) {
  const { stdout } = await run("psql", [adminUrl, "-Atqc", sql]);
  return stdout.trim();
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Databases and streams left by runs that were killed before cleaning up. */
async function removeStale(adminUrl, natsUrl) {
  const owner = (name, prefix) => Number(name.slice(prefix.length).split("_")[0]);
  const dbs = (await psql(adminUrl, `SELECT datname FROM pg_database WHERE datname LIKE '${PREFIX}%'`))
    .split("\n")
    .filter(Boolean)
    .filter((name) => !alive(owner(name, PREFIX)));
  for (const db of dbs) {
    log(`dropping the stale database ${db}`);
    await psql(adminUrl, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
  }
  const streams = (await streamNames(natsUrl).catch(() => [])).filter(
    (name) => name.startsWith(STREAM_PREFIX) && !alive(owner(name, STREAM_PREFIX)),
  );
  if (streams.length) {
    log(`deleting stale streams ${streams.join(", ")}`);
    await deleteStreams(natsUrl, streams);
  }
}

async function binaries(work) {
  if (process.env.GESCOM_E2E_BIN) return process.env.GESCOM_E2E_BIN;
  const target = process.env.CARGO_TARGET_DIR ?? join(repo, "target");
  log(`building the services (cargo build --bins, target ${target})`);
  await new Promise((ok, fail) => {
    const cargo = spawn("cargo", ["build", "--bins"], {
      cwd: repo,
      stdio: "inherit",
      env: { ...process.env, CARGO_TARGET_DIR: target },
    });
    cargo.on("exit", (code) => (code === 0 ? ok() : fail(new Error(`cargo build: exit ${code}`))));
  });
  const bin = join(work, "bin");
  await mkdir(bin);
  for (const name of ["command-api", "read-api", "projector"]) {
    await copyFile(join(target, "debug", name), join(bin, name));
  }
  return bin;
}

async function waitReady(url, child, name) {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not become ready`);
}

export async function startStack({ logDir }) {
  const pgBase = process.env.GESCOM_E2E_PG ?? "postgres://postgres@127.0.0.1:5432";
  const adminUrl = `${pgBase}/postgres`;
  const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
  const tag = `${process.pid}_${Date.now().toString(36)}`;
  const db = `${PREFIX}${tag}`;
  const stream = `${STREAM_PREFIX}${tag}`.toUpperCase();
  const work = await mkdtemp(join(tmpdir(), "gescom-web-e2e-"));
  const children = [];
  const byName = new Map();
  let created = false;

  const stop = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode === null) {
        child.kill("SIGCONT");
        child.kill("SIGTERM");
        await new Promise((r) => {
          const t = setTimeout(() => {
            child.kill("SIGKILL");
            r();
          }, 5000);
          child.once("exit", () => {
            clearTimeout(t);
            r();
          });
        });
      }
    }
    await deleteStreams(natsUrl, [stream, `${stream}_INTEGRATION`]).catch((e) =>
      log(`could not delete the streams: ${e.message}`),
    );
    if (created) {
      await psql(adminUrl, `DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`).catch((e) =>
        log(`could not drop ${db}: ${e.message}`),
      );
    }
    await rm(work, { recursive: true, force: true });
    log("stopped; database, streams and keys removed");
  };

  try {
    await removeStale(adminUrl, natsUrl);
    const bin = await binaries(work);
    await psql(adminUrl, `CREATE DATABASE "${db}"`);
    created = true;
    const keys = join(work, "jwt");
    const { stdout } = await run(join(bin, "command-api"), ["keys", "generate", "--dev", "--out-dir", keys]);
    const kid = stdout.trim().replace(/^GESCOM_JWT_KID=/, "");
    const [command, read, projector] = [await freePort(), await freePort(), await freePort()];
    const env = {
      PATH: process.env.PATH,
      DATABASE_URL: `${pgBase}/${db}`,
      DATABASE_MAX_CONNECTIONS: "5",
      NATS_URL: natsUrl,
      GESCOM_NATS_PREFIX: `webe2e${tag}`,
      GESCOM_NATS_STREAM: stream,
      GESCOM_JWT_KID: kid,
      GESCOM_JWT_PRIVATE_KEY_FILE: join(keys, "jwt.key.pem"),
      GESCOM_JWT_PUBLIC_KEY_FILE: join(keys, "jwt.pub.pem"),
      GESCOM_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      GESCOM_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      // Short-lived access tokens, so that the scenarios exercise the refresh (every ~10 s).
      GESCOM_ACCESS_TOKEN_TTL_SECS: process.env.GESCOM_E2E_ACCESS_TTL ?? "40",
      GESCOM_COMMAND_LISTEN: `127.0.0.1:${command}`,
      GESCOM_READ_LISTEN: `127.0.0.1:${read}`,
      GESCOM_PROJECTOR_LISTEN: `127.0.0.1:${projector}`,
      GESCOM_SELLER_NAME: "Démo Négoce SAS",
      GESCOM_SELLER_ADDRESS: "12 rue des Halles|69002 Lyon",
      GESCOM_SELLER_SIRET: "35600000000048",
      GESCOM_SELLER_VAT_NUMBER: "FR39356000000",
      RUST_LOG: process.env.RUST_LOG ?? "warn",
    };
    await mkdir(logDir, { recursive: true });
    // command-api first: it migrates the database and creates the first admin.
    for (const [name, port] of [
      ["command-api", command],
      ["projector", projector],
      ["read-api", read],
    ]) {
      const out = await open(join(logDir, `${name}.log`), "w");
      const child = spawn(join(bin, name), ["serve"], { env, stdio: ["ignore", out.fd, out.fd] });
      children.push(child);
      byName.set(name, child);
      await out.close();
      await waitReady(`http://127.0.0.1:${port}/readyz`, child, name);
      log(`${name} ready on 127.0.0.1:${port}`);
    }
    return {
      commandUrl: `http://127.0.0.1:${command}`,
      readUrl: `http://127.0.0.1:${read}`,
      db,
      stream,
      stop,
      /** Freezes a service (SIGSTOP): the projector paused makes the read side lag. */
      pause: (name) => byName.get(name).kill("SIGSTOP"),
      resume: (name) => byName.get(name).kill("SIGCONT"),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function chromiumPath() {
  const path = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (!existsSync(path)) {
    throw new Error(`${path} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return path;
}
