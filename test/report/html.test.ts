import { describe, expect, it } from 'vitest';
import { escapeHtml, html, join, raw, SafeHtml } from '../../src/report/html.js';
import { renderTable } from '../../src/report/table-html.js';

describe('HTML escaping', () => {
  it('escapes the five special characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('escapes every interpolated string and number, not the template', () => {
    const name = '<script>alert(1)</script>';
    expect(html`<td>${name}</td>`.value).toBe('<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>');
    expect(html`<td>${3}</td>`.value).toBe('<td>3</td>');
  });

  it('passes SafeHtml through and does not escape twice', () => {
    const inner = html`<b>${'a & b'}</b>`;
    expect(html`<td>${inner}</td>`.value).toBe('<td><b>a &amp; b</b></td>');
    expect(html`${[inner, 'x<y', null, undefined, false]}`.value).toBe('<b>a &amp; b</b>x&lt;y');
    expect(join([raw('<br>'), '<'], '|').value).toBe('<br>|&lt;');
  });

  it('does not accept a look-alike object as safe markup', () => {
    const fake = { value: '<script>', toString: () => '<script>' } as unknown as string;
    expect(html`${fake}`.value).not.toContain('<script>');
    expect(new SafeHtml('<i>') instanceof SafeHtml).toBe(true);
  });

  it('escapes user text in attribute values so it cannot close the attribute', () => {
    const label = `" onload="alert(1)`;
    expect(html`<svg aria-label="${label}"></svg>`.value).toBe('<svg aria-label="&quot; onload=&quot;alert(1)"></svg>');
  });

  it('escapes captions, headers, cells and notes of a paper table', () => {
    const t = renderTable({ caption: 'T<1>', head: [['a&b', { text: '<th>', colspan: 2 }]], body: [{ cells: ['x<y', '1', '2'] }], notes: ['n<ote'] }).value;
    expect(t).toContain('<caption>T&lt;1&gt;</caption>');
    expect(t).toContain('<th class="left">a&amp;b</th>');
    expect(t).toContain('<th class="right" colspan="2">&lt;th&gt;</th>');
    expect(t).toContain('<td class="left">x&lt;y</td>');
    expect(t).toContain('<p>n&lt;ote</p>');
    expect(t).not.toMatch(/<(?!\/?(figure|table|caption|thead|tbody|tr|th|td|div|p)[ >])/);
  });
});
