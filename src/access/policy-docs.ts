import { ACTIONS } from './actions';
import { EVENT_ROLES, POLICY, Role, ROLES, Scope } from './policy';

const HEADINGS: Record<Role, string> = {
  administrator: 'admin',
  csp_lead: 'CSP lead',
  rag_member: 'RAG',
  chair: 'chair',
  report_writer: 'report writer',
  panel_member: 'panel member',
  imr_author: 'IMR author',
};
const CELLS: Record<Scope, string> = {
  anyone: 'yes',
  installation: 'yes',
  csp: 'their CSPs',
  signOff: 'at sign-off',
  review: 'their reviews',
  agency: 'their agency',
};

/** The policy table as Markdown, for the README (a test keeps the two the same). */
export function policyTableMarkdown(): string {
  const header = `| action | ${ROLES.map((r) => HEADINGS[r]).join(' | ')} |`;
  const rule = `|---|${ROLES.map(() => '---').join('|')}|`;
  const rows = ACTIONS.filter((a) => a !== 'public').map((action) => {
    const grants = POLICY[action] as Partial<Record<Role | 'anyone', Scope>>;
    const cells = ROLES.map((role) => (grants.anyone ? 'yes' : grants[role] ? CELLS[grants[role] as Scope] : '–'));
    return `| \`${action}\` | ${cells.join(' | ')} |`;
  });
  const events = Object.entries(EVENT_ROLES).map(([type, roles]) => `\`${type}\`: ${roles.map((r) => HEADINGS[r]).join(', ')}`);
  return [header, rule, ...rows, '', `Lifecycle events, by type: ${events.join('; ')}.`].join('\n');
}
