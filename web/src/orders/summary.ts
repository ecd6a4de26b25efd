// What an order's lifecycle actions move, in words: "2 lignes", "5 pièces, 2,5 kg".
import type { Unit } from "../api/types";
import type { Lang } from "../i18n/messages";
import { formatQuantity } from "../components/Quantity";

/**
 * The quantities of some lines added up per unit, in the order the units first appear:
 * [{quantity: "3", unit: "piece"}, {quantity: "2.5", unit: "kg"}, {quantity: "2", unit: "piece"}]
 * → "5 pièces, 2,5 kg". Quantities have at most 3 decimals: the sum is done in thousandths.
 */
export function quantitiesByUnit(lines: readonly { quantity: string; unit: Unit }[], lang: Lang): string {
  const sums = new Map<Unit, number>();
  for (const line of lines) {
    const thousandths = Math.round(Number(line.quantity) * 1000);
    if (!Number.isFinite(thousandths)) continue;
    sums.set(line.unit, (sums.get(line.unit) ?? 0) + thousandths);
  }
  return [...sums].map(([unit, t]) => formatQuantity(t / 1000, unit, lang)).join(", ");
}
