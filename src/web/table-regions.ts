/**
 * Every GOV.UK table of a page in its own scrolling region (WCAG 2.2 1.4.10, reflow): a table
 * wider than a narrow window scrolls sideways inside the region, not the page. The region is
 * focusable (keyboard users can scroll it) and named by the table's caption. Applied to each
 * rendered page (WebViews), so a template's tables need nothing of their own.
 */
export function tablesInScrollRegions(html: string): string {
  let n = 0;
  return html.replace(/<table class="govuk-table[^"]*"[^>]*>[\s\S]*?<\/table>/g, (table) => {
    n += 1;
    let label = `aria-label="Table ${n}"`;
    const withCaptionId = table.replace(/<caption\b([^>]*)>/, (caption, attributes: string) => {
      const existing = /\sid="([^"]+)"/.exec(attributes);
      const id = existing ? existing[1] : `app-table-${n}-caption`;
      label = `aria-labelledby="${id}"`;
      return existing ? caption : `<caption id="${id}"${attributes}>`;
    });
    return `<div class="app-table-region" role="region" ${label} tabindex="0">${withCaptionId}</div>`;
  });
}
