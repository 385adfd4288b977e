import { tablesInScrollRegions } from './table-regions';

describe('tablesInScrollRegions', () => {
  it('puts each GOV.UK table in a focusable region named by its caption', () => {
    const html =
      '<p>x</p><table class="govuk-table"><caption class="govuk-table__caption">IMRs</caption><tr><td>a</td></tr></table>' +
      '<table class="govuk-table app-x"><caption id="own" class="c">Mine</caption></table>';
    expect(tablesInScrollRegions(html)).toBe(
      '<p>x</p><div class="app-table-region" role="region" aria-labelledby="app-table-1-caption" tabindex="0">' +
        '<table class="govuk-table"><caption id="app-table-1-caption" class="govuk-table__caption">IMRs</caption><tr><td>a</td></tr></table></div>' +
        '<div class="app-table-region" role="region" aria-labelledby="own" tabindex="0"><table class="govuk-table app-x"><caption id="own" class="c">Mine</caption></table></div>',
    );
  });

  it('names a table without a caption by its number, and leaves other markup alone', () => {
    expect(tablesInScrollRegions('<table class="govuk-table"><tr><td>a</td></tr></table>')).toBe(
      '<div class="app-table-region" role="region" aria-label="Table 1" tabindex="0"><table class="govuk-table"><tr><td>a</td></tr></table></div>',
    );
    expect(tablesInScrollRegions('<table class="other"><tr><td>a</td></tr></table>')).toBe('<table class="other"><tr><td>a</td></tr></table>');
  });
});
