/**
 * The patient-flow diagram (CONSORT-style): one box per step that kept or dropped rows, top to bottom,
 * with the patients out of it (and per arm), a down arrow to the next, and beside each arrow the
 * patients excluded there and why. Text is wrapped by character count (no text is measured), so the
 * bytes do not depend on the machine.
 */
import { html, type SafeHtml } from '../html.js';
import { c, INK, svgFigure } from '../svg.js';

export interface FlowDiagramBox {
  /** e.g. "imaged (filter)". */
  readonly title: string;
  readonly out: number;
  /** e.g. "EVT 821 · Control 844". */
  readonly arms?: string | undefined;
  /** What the step did, for a step that excluded nobody (an imputation). */
  readonly note?: string | undefined;
  /** Patients excluded on the way into this box (in − out), with the reason and the per-arm counts. */
  readonly excluded?: { readonly n: number; readonly reason: string; readonly arms?: string | undefined } | undefined;
}

const W = 720;
const MAIN = { x: 30, w: 370 };
const SIDE = { x: 430, w: 270 };
const LINE = 15;
const PAD = 10;

/** Greedy word wrap at `width` characters (a word longer than that stands alone). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function textLines(x: number, y: number, lines: readonly { text: string; bold?: boolean; size?: number }[]): SafeHtml {
  return html`${lines.map((l, i) => html`<text x="${c(x)}" y="${c(y + i * LINE)}"${l.bold === true ? html` font-weight="600"` : ''}${l.size === undefined ? '' : html` font-size="${l.size}"`}>${l.text}</text>`)}`;
}

export function flowSvg(input: { readonly title: string; readonly boxes: readonly FlowDiagramBox[] }): SafeHtml {
  const parts: SafeHtml[] = [];
  let y = 12;
  input.boxes.forEach((b, i) => {
    if (i > 0) {
      const ex = b.excluded;
      const side = ex === undefined ? [] : [{ text: `Excluded: n = ${ex.n}`, bold: true }, ...wrap(ex.reason, 40).map((t) => ({ text: t, size: 11 })), ...(ex.arms === undefined ? [] : [{ text: ex.arms, size: 11 }])];
      const sideH = side.length * LINE + 2 * PAD;
      const gap = Math.max(34, side.length === 0 ? 34 : sideH + 16);
      const x = MAIN.x + MAIN.w / 2;
      parts.push(html`<line x1="${c(x)}" x2="${c(x)}" y1="${c(y)}" y2="${c(y + gap - 6)}" stroke="${INK}" stroke-width="1.2"/><path d="M${c(x - 5)} ${c(y + gap - 8)}L${c(x)} ${c(y + gap)}L${c(x + 5)} ${c(y + gap - 8)}Z" fill="${INK}"/>`);
      if (side.length > 0) {
        const top = y + (gap - sideH) / 2;
        parts.push(
          html`<line x1="${c(x)}" x2="${c(SIDE.x)}" y1="${c(top + sideH / 2)}" y2="${c(top + sideH / 2)}" stroke="${INK}" stroke-width="1"/><rect class="excluded" x="${c(SIDE.x)}" y="${c(top)}" width="${c(SIDE.w)}" height="${c(sideH)}" fill="#f6f6f6" stroke="${INK}"/>${textLines(SIDE.x + PAD, top + PAD + 11, side)}`,
        );
      }
      y += gap;
    }
    const lines = [
      { text: b.title, bold: true },
      { text: `n = ${b.out}` },
      ...(b.arms === undefined ? [] : [{ text: b.arms, size: 11 }]),
      ...(b.note === undefined ? [] : wrap(b.note, 56).map((t) => ({ text: t, size: 11 }))),
    ];
    const h = lines.length * LINE + 2 * PAD;
    parts.push(html`<g class="box"><rect x="${c(MAIN.x)}" y="${c(y)}" width="${c(MAIN.w)}" height="${c(h)}" fill="#fff" stroke="${INK}" stroke-width="1.2"/>${textLines(MAIN.x + PAD, y + PAD + 11, lines)}</g>`);
    y += h;
  });
  const H = y + 12;
  return svgFigure(
    { width: W, height: H, label: input.title, description: 'Patient flow: the patients kept by each step and those excluded, with the reason', className: 'flow' },
    html`${parts}`,
  );
}
