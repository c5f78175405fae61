/**
 * A horizontal grouped bar chart drawn by hand in SVG (no chart library): one group of bars per
 * category (a unit), one bar per series, each bar labelled with its value so that colour is never
 * the only carrier of meaning. The SVG is one image with a title and a description for assistive
 * technology; the page shows the same figures in a table.
 */

export interface Series {
  key: string;
  label: string;
  /** Fill colour, from officer.css (each meets 3:1 against white). */
  className: string;
  values: (number | null)[];
}

const WIDTH = 640;
const LABEL = 190;
const VALUE_ROOM = 60;
const BAR = 16;
const GAP = 3;
const GROUP_GAP = 14;
const TOP = 8;
const AXIS = 22;

function niceMax(value: number): number {
  if (value <= 5) return 5;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  const steps = [1, 2, 5, 10];
  for (const s of steps) if (s * magnitude >= value) return s * magnitude;
  return 10 * magnitude;
}

export function BarChart(props: {
  id: string;
  title: string;
  description: string;
  categories: { key: string; label: string }[];
  series: Series[];
  /** Fixed top of the scale (100 for percentages); otherwise from the data. */
  max?: number;
  unit?: string;
}) {
  const { id, title, description, categories, series, unit = '' } = props;
  const largest = Math.max(0, ...series.flatMap((s) => s.values.map((v) => v ?? 0)));
  const max = props.max ?? niceMax(largest);
  const plot = WIDTH - LABEL - VALUE_ROOM;
  const groupHeight = series.length * (BAR + GAP) - GAP;
  const height = TOP + categories.length * (groupHeight + GROUP_GAP) + AXIS;
  const x = (v: number) => LABEL + (Math.max(0, v) / max) * plot;
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => Math.round(max * f * 10) / 10);
  return (
    <figure className="chart">
      {series.length > 1 && (
        <ul className="chart-legend" aria-hidden="true">
          {series.map((s) => (
            <li key={s.key}>
              <svg width="14" height="14" aria-hidden="true" focusable="false">
                <rect width="14" height="14" className={s.className} />
              </svg>
              {s.label}
            </li>
          ))}
        </ul>
      )}
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        className="chart-svg"
        focusable="false"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line x1={x(tick)} x2={x(tick)} y1={TOP - 4} y2={height - AXIS} className="chart-grid" />
            <text x={x(tick)} y={height - 6} textAnchor="middle" className="chart-tick">
              {tick}
              {unit}
            </text>
          </g>
        ))}
        {categories.map((c, ci) => {
          const y0 = TOP + ci * (groupHeight + GROUP_GAP);
          return (
            <g key={c.key}>
              <text x={LABEL - 8} y={y0 + groupHeight / 2 + 5} textAnchor="end" className="chart-label">
                {c.label}
              </text>
              {series.map((s, si) => {
                const value = s.values[ci] ?? null;
                const y = y0 + si * (BAR + GAP);
                return (
                  <g key={s.key}>
                    <rect
                      x={LABEL}
                      y={y}
                      width={Math.max(value ? 2 : 0, x(value ?? 0) - LABEL)}
                      height={BAR}
                      className={s.className}
                    />
                    <text x={x(value ?? 0) + 6} y={y + BAR - 3} className="chart-value">
                      {value === null ? '—' : `${value}${unit}`}
                    </text>
                  </g>
                );
              })}
            </g>
          );
        })}
        <line x1={LABEL} x2={LABEL} y1={TOP - 4} y2={height - AXIS} className="chart-axis" />
      </svg>
    </figure>
  );
}
