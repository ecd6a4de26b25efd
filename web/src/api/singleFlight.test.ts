import { describe, expect, it } from "vitest";
import { singleFlight } from "./singleFlight";

function server() {
  const seen: string[] = [];
  const releases: (() => void)[] = [];
  const fetch = async (request: Request) => {
    seen.push(`${request.method} ${new URL(request.url).pathname} ${await request.text()}`);
    await new Promise<void>((resolve) => releases.push(resolve));
    return Response.json({ n: seen.length }, { status: 201 });
  };
  const releaseAll = () => releases.splice(0).forEach((release) => release());
  return { seen, fetch, releaseAll };
}

const post = (path: string, body: unknown, ifMatch?: string) =>
  new Request(`http://api${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", ...(ifMatch ? { "if-match": ifMatch } : {}) },
  });

describe("single flight of commands", () => {
  it("sends a command once while an identical one is in flight, and both callers get its answer", async () => {
    const { seen, fetch, releaseAll } = server();
    const send = singleFlight(fetch);
    const first = send(post("/orders", { customer_id: "c" }));
    const second = send(post("/orders", { customer_id: "c" }));
    await new Promise((r) => setTimeout(r, 0));
    releaseAll();
    const answers = await Promise.all([first, second]);
    expect(seen).toEqual(['POST /orders {"customer_id":"c"}']);
    expect(answers.map((a) => a.status)).toEqual([201, 201]);
    expect(await Promise.all(answers.map((a) => a.json()))).toEqual([{ n: 1 }, { n: 1 }]);
  });

  it("sends different commands, and the same one again once answered", async () => {
    const { seen, fetch, releaseAll } = server();
    const send = singleFlight(fetch);
    const a = send(post("/orders/1/lines", { product_id: "p", quantity: "1" }, '"3"'));
    const b = send(post("/orders/1/lines", { product_id: "p", quantity: "2" }, '"3"'));
    const c = send(post("/orders/1/lines", { product_id: "p", quantity: "1" }, '"4"'));
    await new Promise((r) => setTimeout(r, 0));
    releaseAll();
    await Promise.all([a, b, c]);
    const again = send(post("/orders/1/lines", { product_id: "p", quantity: "1" }, '"3"'));
    await new Promise((r) => setTimeout(r, 0));
    releaseAll();
    await again;
    expect(seen).toHaveLength(4);
  });

  it("leaves reads alone", async () => {
    const { seen, fetch, releaseAll } = server();
    const send = singleFlight(fetch);
    const reads = [send(new Request("http://api/orders")), send(new Request("http://api/orders"))];
    await new Promise((r) => setTimeout(r, 0));
    releaseAll();
    await Promise.all(reads);
    expect(seen).toHaveLength(2);
  });
});
