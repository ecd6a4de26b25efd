// Light charts (no chart library): horizontal bars with their figures written beside
// them, and columns over time. The figures are in the text, the drawing is decoration.

export interface Bar {
  key: string;
  label: string;
  value: number;
  text: string;
}

/** One bar per item, its label on the left, its figure on the right. */
export function BarList({ bars, color = "var(--mantine-color-indigo-6)" }: { bars: Bar[]; color?: string }) {
  const max = Math.max(0, ...bars.map((b) => b.value));
  return (
    <ul style={{ listStyle: "none", margin: 0, padding: 0 }}>
      {bars.map((b) => (
        <li
          key={b.key}
          style={{ display: "grid", gridTemplateColumns: "minmax(8rem, 14rem) 1fr auto", gap: 8, alignItems: "center", padding: "2px 0" }}
        >
          <span style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>{b.label}</span>
          <span aria-hidden style={{ background: "var(--mantine-color-gray-1)", height: 14, borderRadius: 3 }}>
            <span
              style={{
                display: "block",
                height: "100%",
                width: `${max > 0 ? (b.value / max) * 100 : 0}%`,
                background: color,
                borderRadius: 3,
              }}
            />
          </span>
          <span style={{ fontVariantNumeric: "tabular-nums", textAlign: "right" }}>{b.text}</span>
        </li>
      ))}
    </ul>
  );
}

/** Columns over time (the table beside it has the figures). */
export function Columns({ points, label }: { points: { key: string; value: number }[]; label: string }) {
  const max = Math.max(0, ...points.map((p) => p.value));
  const w = Math.max(points.length * 24, 240);
  const h = 160;
  const bw = points.length ? w / points.length : w;
  return (
    <svg viewBox={`0 0 ${w} ${h}`} width="100%" height={h} role="img" aria-label={label} preserveAspectRatio="none">
      <line x1={0} y1={h - 1} x2={w} y2={h - 1} stroke="var(--mantine-color-gray-5)" />
      {points.map((p, i) => {
        const bh = max > 0 ? (p.value / max) * (h - 10) : 0;
        return <rect key={p.key} x={i * bw + bw * 0.15} y={h - 1 - bh} width={bw * 0.7} height={bh} fill="var(--mantine-color-indigo-6)" />;
      })}
    </svg>
  );
}
