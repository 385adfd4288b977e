/**
 * Charts drawn on the server as SVG (no client script): horizontal bars, each labelled with its
 * value, the picture named by a <title> and described by a <desc> that says the figures in words;
 * the page shows the same figures in a table beside it.
 */
export interface Bar {
  label: string;
  value: number;
  /** An optional range drawn as a line across the bar (a spread: lower to upper quartile). */
  range?: [number, number];
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export function barChart(id: string, title: string, bars: Bar[], unit: string): string {
  const labelWidth = 210;
  const plotWidth = 170;
  const rowHeight = 28;
  const width = labelWidth + plotWidth + 60;
  const height = Math.max(1, bars.length) * rowHeight + 8;
  const max = Math.max(1, ...bars.map((b) => Math.max(b.value, b.range?.[1] ?? 0)));
  const x = (v: number) => labelWidth + (plotWidth * v) / max;
  const described = bars.length ? bars.map((b) => `${b.label}: ${b.value}${unit}${b.range ? ` (from ${b.range[0]} to ${b.range[1]})` : ''}`).join('; ') : 'No figures.';
  const rows = bars
    .map((b, i) => {
      const y = 4 + i * rowHeight;
      const range = b.range
        ? `<line x1="${x(b.range[0]).toFixed(1)}" x2="${x(b.range[1]).toFixed(1)}" y1="${y + 11}" y2="${y + 11}" stroke="#0b0c0c" stroke-width="2"/>`
        : '';
      return (
        `<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" font-size="15" fill="#0b0c0c">${escape(b.label)}</text>` +
        `<rect x="${labelWidth}" y="${y + 2}" width="${Math.max(0, x(b.value) - labelWidth).toFixed(1)}" height="18" fill="#1d70b8"/>` +
        range +
        `<text x="${(Math.max(x(b.value), b.range ? x(b.range[1]) : 0) + 6).toFixed(1)}" y="${y + 15}" font-size="14" fill="#0b0c0c">${b.value}</text>`
      );
    })
    .join('');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" font-family="arial, sans-serif" role="img" aria-labelledby="${id}-title ${id}-desc" viewBox="0 0 ${width} ${height}" width="100%" style="max-width:${width}px">` +
    `<title id="${id}-title">${escape(title)}</title><desc id="${id}-desc">${escape(described)}</desc>${rows}</svg>`
  );
}
