import { describe, expect, it } from "vitest";
import { quantitiesByUnit } from "./summary";

describe("what an order moves", () => {
  it("adds quantities up per unit, in thousandths", () => {
    const lines = [
      { quantity: "3", unit: "piece" as const },
      { quantity: "0.1", unit: "kg" as const },
      { quantity: "2", unit: "piece" as const },
      { quantity: "0.2", unit: "kg" as const },
    ];
    expect(quantitiesByUnit(lines, "fr").replace(/\u00a0/g, " ")).toBe("5 pièces, 0,3 kg");
    expect(quantitiesByUnit([{ quantity: "1", unit: "box" }], "en").replace(/\u00a0/g, " ")).toBe("1 box");
    expect(quantitiesByUnit([], "en")).toBe("");
  });
});
