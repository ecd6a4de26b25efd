import { describe, expect, it } from "vitest";
import { datePlaceholder, formatDateInput, isIsoDate, parisDay, parseDateInput } from "./dateInput";

describe("typed dates", () => {
  it("read day first, as French and British English write them", () => {
    expect(parseDateInput("31/12/2026")).toBe("2026-12-31");
    expect(parseDateInput("1/2/2027")).toBe("2027-02-01");
    expect(parseDateInput(" 01.02.2027 ")).toBe("2027-02-01");
    expect(parseDateInput("1-2-2027")).toBe("2027-02-01");
    expect(parseDateInput("01 / 02 / 2027")).toBe("2027-02-01");
  });

  it("take the API's form too", () => {
    expect(parseDateInput("2027-02-01")).toBe("2027-02-01");
    expect(parseDateInput("2027-2-1")).toBe("2027-02-01");
  });

  it("refuse days that do not exist and text still being typed", () => {
    expect(parseDateInput("31/04/2027")).toBeNull();
    expect(parseDateInput("29/02/2027")).toBeNull();
    expect(parseDateInput("29/02/2028")).toBe("2028-02-29");
    expect(parseDateInput("13/13/2027")).toBeNull();
    expect(parseDateInput("00/01/2027")).toBeNull();
    expect(parseDateInput("15/01/20")).toBeNull();
    expect(parseDateInput("15/01")).toBeNull();
    expect(parseDateInput("")).toBeNull();
    expect(parseDateInput("demain")).toBeNull();
    expect(parseDateInput("2027-02-30")).toBeNull();
  });

  it("show the API's day in the field's form", () => {
    expect(formatDateInput("2027-01-15")).toBe("15/01/2027");
    expect(formatDateInput("soon")).toBe("soon");
    expect(datePlaceholder("fr")).toBe("jj/mm/aaaa");
    expect(datePlaceholder("en")).toBe("dd/mm/yyyy");
  });

  it("check API days", () => {
    expect(isIsoDate("2026-12-31")).toBe(true);
    expect(isIsoDate("2026-02-29")).toBe(false);
    expect(isIsoDate("31/12/2026")).toBe(false);
    expect(isIsoDate("")).toBe(false);
  });

  it("count days in Paris, across months and clock changes", () => {
    // 23:30 UTC on 31 December is already 1 January in Paris.
    expect(parisDay(0, new Date("2026-12-31T23:30:00Z"))).toBe("2027-01-01");
    expect(parisDay(-29, new Date("2027-03-29T10:00:00Z"))).toBe("2027-02-28");
    // 23:30 UTC on 27 March is 00:30 on the 28th in Paris, the day the clocks go forward
    // (a 23-hour day): the next day is still the 29th.
    expect(parisDay(1, new Date("2027-03-27T23:30:00Z"))).toBe("2027-03-29");
    expect(parisDay(0, new Date("2027-03-27T22:30:00Z"))).toBe("2027-03-27");
  });
});
