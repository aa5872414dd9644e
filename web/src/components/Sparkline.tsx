// A small bar chart of a series of counts (one per minute), optionally
// summed into buckets of `bucket` values.
export function Sparkline({ values, label, bucket = 1 }: { values: number[]; label: string; bucket?: number }) {
  const points: number[] = [];
  for (let i = 0; i < values.length; i += bucket)
    points.push(values.slice(i, i + bucket).reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...points);
  const width = 240, height = 40, w = width / Math.max(points.length, 1);
  const sum = values.reduce((a, b) => a + b, 0);
  return (
    <figure className="sparkline">
      <svg width={width} height={height} role="img" aria-label={`${label}: ${sum}`}>
        {points.map((v, i) => (
          <rect key={i} x={i * w} y={height - (v / max) * height} width={Math.max(w - 1, 1)}
            height={(v / max) * height} />))}
      </svg>
      <figcaption>{label}: {sum}</figcaption>
    </figure>
  );
}
