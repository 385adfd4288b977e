import { reminderLink } from './reminder-link';

describe('reminderLink', () => {
  const base = 'https://dhr.example.gov.uk/';
  it("takes an IMR's author to its upload page, everyone else to the IMR tracker", () => {
    expect(reminderLink(base, 'r1', 'imr_due', 'i1', true)).toBe('https://dhr.example.gov.uk/cases/r1/imrs/i1/submit');
    expect(reminderLink(base, 'r1', 'imr_due', 'i1', false)).toBe('https://dhr.example.gov.uk/cases/r1/imrs');
  });
  it('links any other reminder to the review', () => {
    expect(reminderLink(base, 'r1', 'decision_due', 'r1', false)).toBe('https://dhr.example.gov.uk/cases/r1');
    expect(reminderLink('https://dhr.example.gov.uk', 'r1', 'panel_meeting', 'm1', true)).toBe('https://dhr.example.gov.uk/cases/r1');
  });
});
