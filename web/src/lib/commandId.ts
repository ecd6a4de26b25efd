// Ids the client chooses for commands that record money (payments, credit notes): sent
// again after an answer that never came, the same body goes with the same id, and the
// server answers it rather than recording it twice. Another body gets a new id.
import { useRef } from "react";

/** A random UUID (v4), also where `crypto.randomUUID` is missing (a page served over plain http). */
export function newId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * `idFor(body)`: the id of the last attempt when `body` is the same, else a new one;
 * `done()` once the command is recorded: whatever comes next is a new command.
 */
export function useCommandId() {
  const last = useRef<{ key: string; id: string } | null>(null);
  return {
    idFor(body: unknown): string {
      const key = JSON.stringify(body);
      if (last.current?.key !== key) last.current = { key, id: newId() };
      return last.current.id;
    },
    done() {
      last.current = null;
    },
  };
}
