// Simple charts drawn here as SVG: no library, nothing from the network. Every label is set
// as text, never as markup, so a theme called "<b>" shows as itself.

const SVG = 'http://www.w3.org/2000/svg';
// Colours that stay apart for common colour-blindness (Okabe and Ito), darkened for contrast.
const COLOURS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#8a6d00', '#56B4E9', '#333333', '#E69F00'];
export const MAX_SERIES = COLOURS.length;

function s(tag, attributes = {}, text) {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

const clip = (text, n) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/**
 * Horizontal bars grouped by category: one bar per series in each group.
 * { title, categories: [name], series: [{ label, values: [n per category] }] }
 */
export function barChart({ title, categories, series }) {
  const width = 760;
  const left = 190;
  const right = 40;
  const bar = 14;
  const gap = 12;
  const legendRows = series.length > 1 ? Math.ceil(series.length / 3) : 0;
  const top = 34 + legendRows * 20;
  const group = series.length * bar + gap;
  const height = top + Math.max(1, categories.length) * group + 10;
  const max = Math.max(1, ...series.flatMap((x) => x.values));
  const scale = (width - left - right) / max;
  const id = `chart-${Math.random().toString(36).slice(2)}`;

  const svg = s('svg', {
    xmlns: SVG, width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-labelledby': `${id}-title`,
    'font-family': 'Noto Sans, DejaVu Sans, Arial, sans-serif', 'font-size': 12, class: 'chart',
  });
  svg.append(s('title', { id: `${id}-title` }, title));
  svg.append(s('rect', { x: 0, y: 0, width, height, fill: '#ffffff' }));
  svg.append(s('text', { x: 0, y: 18, 'font-size': 15, 'font-weight': 700, fill: '#1b1f1e' }, title));
  series.forEach((x, n) => {
    const lx = (n % 3) * 250;
    const ly = 30 + Math.floor(n / 3) * 20;
    if (series.length > 1) {
      svg.append(s('rect', { x: lx, y: ly, width: 12, height: 12, fill: COLOURS[n % COLOURS.length] }));
      svg.append(s('text', { x: lx + 18, y: ly + 10, fill: '#1b1f1e' }, clip(x.label, 34)));
    }
  });
  categories.forEach((name, c) => {
    const y = top + c * group;
    svg.append(s('text', { x: left - 8, y: y + (series.length * bar) / 2 + 4, 'text-anchor': 'end', fill: '#1b1f1e' }, clip(name, 28)));
    series.forEach((x, n) => {
      const value = x.values[c] ?? 0;
      const by = y + n * bar;
      svg.append(s('rect', { x: left, y: by, width: Math.max(value ? 2 : 0, value * scale), height: bar - 2, fill: COLOURS[n % COLOURS.length] }));
      svg.append(s('text', { x: left + value * scale + 4, y: by + bar - 4, fill: '#1b1f1e', 'font-size': 11 }, String(value)));
    });
  });
  if (!categories.length) {
    svg.append(s('text', { x: left, y: top + 12, fill: '#47514f' }, 'Nothing to show yet'));
  }
  return svg;
}

/** The chart as a standalone SVG file's text. */
export function svgText(svg) {
  return new XMLSerializer().serializeToString(svg);
}
