/** A small accessible bar chart (SVG): one bar per point, the values in a title per bar. */
export function BarChart({
  label,
  points,
  format = (n) => n.toLocaleString(),
  color = 'fill-sky-500',
  testId,
}: {
  label: string;
  points: { label: string; value: number }[];
  format?: (n: number) => string;
  color?: string;
  testId?: string;
}) {
  const max = Math.max(1, ...points.map((p) => p.value));
  const width = 100 / Math.max(1, points.length);
  return (
    <figure className="rounded-lg border border-gray-200 p-3 dark:border-gray-800" data-testid={testId}>
      <figcaption className="mb-2 flex justify-between text-xs text-gray-500">
        <span>{label}</span>
        <span>max {format(max)}</span>
      </figcaption>
      <svg viewBox="0 0 100 40" preserveAspectRatio="none" className="h-28 w-full" role="img" aria-label={label}>
        {points.map((point, i) => {
          const height = (point.value / max) * 38;
          return (
            <rect key={point.label} x={i * width + width * 0.1} y={40 - height} width={width * 0.8} height={height} className={color} data-value={point.value}>
              <title>{`${point.label}: ${format(point.value)}`}</title>
            </rect>
          );
        })}
      </svg>
      <div className="mt-1 flex justify-between text-[0.65rem] text-gray-500">
        <span>{points[0]?.label}</span>
        <span>{points.at(-1)?.label}</span>
      </div>
    </figure>
  );
}
