import type { MeetingAttendee } from '../../casefile/entities';
import type { FieldSpec, FormBody, FormProblem } from '../forms';
import { REVIEW_ROLE_LABELS } from '../labels';
import { formValues } from './more-page-support';

/**
 * Meeting attendance chosen from the review team (issue 14 item 2): one checkbox per person
 * for "attended" and one for "sent apologies", then a few rows for guests typed by name. The
 * service stores attendance as it always has (name, agency, status); a person of the team is
 * recognised again by their name and agency.
 */
export interface TeamPerson {
  /** Stable while the form is open: the id of the record the person comes from. */
  key: string;
  name: string;
  agencyId: string | null;
  /** Their roles, in words (for the checkbox's hint). */
  roles: string[];
}

/** Guest rows offered beyond the guests already recorded. */
export const SPARE_GUEST_ROWS = 2;

/** The checkbox groups' names (their problems are put on them). */
export const TEAM_ATTENDANCE_FIELDS: FieldSpec[] = [
  { name: 'attended', label: 'Attended', kind: 'text', optional: true },
  { name: 'apologies', label: 'Sent apologies', kind: 'text', optional: true },
];

type Member = { id: string; displayName: string | null; email: string | null; role: string; agencyId: string | null; endedAt: Date | null };
type Panel = { id: string; name: string; email?: string | null; agencyId: string; leftOn: string | null };
type Appointment = { id: string; name: string; email?: string | null; role: string; endedOn?: string | null };

const same = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The people of the team, once each: current members (users and invited), panel members and
 * appointments, the same person (same email, else same name) in several records shown once
 * with every role.
 */
export function teamPeople(members: readonly Member[], panel: readonly Panel[], appointments: readonly Appointment[], agencyNames: ReadonlyMap<string, string>): TeamPerson[] {
  const people: Array<TeamPerson & { email: string | null }> = [];
  const add = (key: string, name: string | null, email: string | null | undefined, agencyId: string | null, role: string) => {
    if (!name) return;
    const found = people.find((p) => (email && p.email ? same(p.email, email) : same(p.name, name)) && (p.agencyId === agencyId || p.agencyId === null || agencyId === null));
    if (found) {
      found.agencyId ??= agencyId;
      found.email ??= email ?? null;
      if (!found.roles.includes(role)) found.roles.push(role);
      return;
    }
    people.push({ key, name, email: email ?? null, agencyId, roles: [role] });
  };
  const roleText = (role: string, agencyId: string | null) => {
    const words = (REVIEW_ROLE_LABELS as Record<string, string>)[role] ?? role.replace(/_/g, ' ');
    return agencyId && agencyNames.get(agencyId) ? `${words}, ${agencyNames.get(agencyId)}` : words;
  };
  for (const m of members.filter((x) => !x.endedAt)) add(m.id, m.displayName, m.email, m.agencyId, roleText(m.role, m.agencyId));
  for (const a of appointments.filter((x) => !x.endedOn)) add(a.id, a.name, a.email, null, roleText(a.role, null));
  for (const p of panel.filter((x) => !x.leftOn)) add(p.id, p.name, p.email, p.agencyId, roleText('panel_member', p.agencyId));
  return people.map(({ email: _email, ...person }) => person);
}

/** The team's part of the attendance the form sends: the people ticked, with their agency. */
export function teamAttendanceOf(raw: unknown, people: readonly TeamPerson[]): { entries: Array<Record<string, string>>; problems: FormProblem[]; body: FormBody } {
  const attended = formValues(raw, 'attended');
  const apologies = formValues(raw, 'apologies');
  const problems: FormProblem[] = [];
  const entries: Array<Record<string, string>> = [];
  for (const [keys, status] of [[attended, 'attended'], [apologies, 'apologies']] as const) {
    for (const key of keys) {
      const person = people.find((p) => p.key === key);
      if (!person) {
        problems.push({ field: status, message: 'names someone who is not on the review team: reload the page and choose again' });
        continue;
      }
      if (status === 'apologies' && attended.includes(key)) {
        problems.push({ field: 'apologies', message: `cannot include ${person.name}, who is ticked as attended` });
        continue;
      }
      entries.push({ name: person.name, ...(person.agencyId ? { agencyId: person.agencyId } : {}), status });
    }
  }
  return { entries, problems, body: { attended: attended.join(' '), apologies: apologies.join(' ') } };
}

/** Recorded attendance split into the team's ticks and the guests (everyone else, as rows). */
export function recordedAttendance(attendance: readonly MeetingAttendee[], people: readonly TeamPerson[]): { attended: string[]; apologies: string[]; guests: MeetingAttendee[] } {
  const attended: string[] = [];
  const apologies: string[] = [];
  const guests: MeetingAttendee[] = [];
  for (const a of attendance) {
    const person = people.find((p) => same(p.name, a.name) && (a.agencyId ?? null) === p.agencyId);
    if (person) (a.status === 'attended' ? attended : apologies).push(person.key);
    else guests.push(a);
  }
  return { attended, apologies, guests };
}
