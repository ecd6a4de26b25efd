// Just enough of the NATS protocol to ask JetStream's API a question (list or delete
// streams), so that the browser tests need no NATS client package.
import net from "node:net";

/** Sends each [subject, payload] as a request and resolves with the parsed JSON replies. */
export function jetstreamRequests(natsUrl, requests, timeoutMs = 5000) {
  const { hostname, port } = new URL(natsUrl);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port || 4222), hostname || "127.0.0.1");
    const inbox = `_INBOX.gescomweb${process.pid}`;
    const replies = [];
    let buffer = Buffer.alloc(0);
    let started = false;
    const timer = setTimeout(() => finish(new Error("NATS: no reply in time")), timeoutMs);
    function finish(error) {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(replies);
    }
    socket.on("error", finish);
    socket.on("data", (chunk) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const eol = buffer.indexOf("\r\n");
        if (eol < 0) return;
        const line = buffer.subarray(0, eol).toString();
        if (line.startsWith("MSG ")) {
          const size = Number(line.split(" ").at(-1));
          if (buffer.length < eol + 2 + size + 2) return;
          const payload = buffer.subarray(eol + 2, eol + 2 + size).toString();
          buffer = buffer.subarray(eol + 2 + size + 2);
          replies.push(JSON.parse(payload || "{}"));
          if (replies.length === requests.length) finish();
          continue;
        }
        buffer = buffer.subarray(eol + 2);
        if (line.startsWith("INFO ") && !started) {
          started = true;
          let out = `CONNECT {"verbose":false,"pedantic":false,"lang":"node","version":"0"}\r\nSUB ${inbox} 1\r\n`;
          for (const [subject, payload] of requests) {
            out += `PUB ${subject} ${inbox} ${Buffer.byteLength(payload)}\r\n${payload}\r\n`;
          }
          socket.write(out);
          if (requests.length === 0) finish();
        } else if (line === "PING") {
          socket.write("PONG\r\n");
        } else if (line.startsWith("-ERR")) {
          finish(new Error(`NATS: ${line}`));
        }
      }
    });
  });
}

export async function streamNames(natsUrl) {
  const [reply] = await jetstreamRequests(natsUrl, [["$JS.API.STREAM.NAMES", "{}"]]);
  return reply?.streams ?? [];
}

export async function deleteStreams(natsUrl, names) {
  if (names.length === 0) return [];
  return jetstreamRequests(
    natsUrl,
    names.map((name) => [`$JS.API.STREAM.DELETE.${name}`, ""]),
  );
}
