// A double click must not run a command twice. Buttons are disabled while a command runs,
// but only once React has re-rendered: a second click in the same frame sends the very same
// request again (a second draft order, a line added twice, a 412 after one's own submit).
// So the command client never has two identical requests in flight: the second waits for
// the first and gets a copy of its answer. Identical means same method, URL, If-Match and
// body; the same command sent again after the first answered is sent again.
import type { Fetch } from "./clients";

export function singleFlight(inner: Fetch): Fetch {
  const inFlight = new Map<string, Promise<Response>>();
  return async (request) => {
    if (request.method === "GET" || request.method === "HEAD") return inner(request);
    const body = request.body === null ? "" : await request.clone().text();
    const key = [request.method, request.url, request.headers.get("if-match") ?? "", body].join("\n");
    const pending = inFlight.get(key);
    if (pending) return (await pending).clone();
    const answer = inner(request);
    inFlight.set(key, answer);
    try {
      return (await answer).clone();
    } finally {
      inFlight.delete(key);
    }
  };
}
