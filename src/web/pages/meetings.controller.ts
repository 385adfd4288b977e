import { Body, Controller, Get, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { recordAccessBeforeSending } from '../../audit/access-log.interceptor';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { ATTENDANCE_STATUSES, MeetingAttendee } from '../../casefile/entities';
import { ReviewMembersService } from '../../access/members';
import { AppointmentsService } from '../../casefile/appointments/appointments.service';
import { ImrsService } from '../../casefile/imrs/imrs.service';
import { PanelService } from '../../casefile/panel/panel.service';
import { cancelMeetingSchema, holdMeetingSchema, scheduleMeetingSchema, updateMeetingSchema } from '../../casefile/meetings/meetings.schemas';
import { MeetingsService } from '../../casefile/meetings/meetings.service';
import { CspsService } from '../../csps/csps.service';
import { Clock } from '../../infrastructure/clock/clock';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import { parseInput } from '../../infrastructure/http/validation';
import { buildMeetingInvitation, parseMailbox } from '../../reminders/mail/meeting-invitation';
import { MEETING_LENGTH_MS } from '../../reminders/meeting-invitations.job';
import { ReviewLifecycleService, ReviewView } from '../../reviews/review-lifecycle.service';
import { caseNavigation, changesSince, may, staleSummary } from '../case-pages';
import { FieldSpec, FieldView, FormBody, formBody, FormProblem, formView, ifMatchOf, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { ATTENDANCE_STATUS_LABELS, IMR_KIND_LABELS, MEETING_STATUS_LABELS, optionsOf } from '../labels';
import { londonInstant, londonParts, readTime } from '../meeting-times';
import { ukDate, ukDateTime, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { cspNameOf, formValues, looksLikeEmail, noticeFrom } from './more-page-support';
import { accessOf, actorOf } from './page-support';
import { recordedAttendance, SPARE_GUEST_ROWS, TEAM_ATTENDANCE_FIELDS, teamAttendanceOf, TeamPerson, teamPeople } from './meeting-attendance';

type MeetingView = Awaited<ReturnType<MeetingsService['get']>>;
type Agencies = ReadonlyArray<{ id: string; name: string }>;

/** When and where: the schedule and reschedule forms. The time of day is its own box. */
const MEETING_FIELDS: FieldSpec[] = [
  { name: 'startsAt', label: 'Date of the meeting', kind: 'date', hint: 'For example, 20 7 2026' },
  { name: 'startsAtTime', label: 'Time', errorLabel: 'the time of the meeting', kind: 'text', hint: 'UK time. For example, 10:30am or 14:00', classes: 'govuk-input--width-5' },
  {
    name: 'location',
    label: 'Location',
    kind: 'text',
    optional: true,
    hint: 'Where the panel meets in person. Give a location, an online meeting link, or both.',
    classes: 'govuk-!-width-two-thirds',
  },
  { name: 'onlineLink', label: 'Online meeting link', kind: 'url', optional: true, hint: 'A link starting https://', classes: 'govuk-!-width-full' },
  { name: 'agenda', label: 'Agenda', kind: 'textarea', optional: true },
  { name: 'papersCirculatedOn', label: 'Date the papers were circulated', kind: 'date', optional: true, hint: 'Leave empty until they have been sent.' },
];

const HELD_FIELDS: FieldSpec[] = [
  { name: 'minutes', label: 'Minutes', kind: 'textarea', optional: true, hint: 'Use pseudonyms, not real names.' },
  { name: 'decisions', label: 'Decisions', kind: 'textarea', optional: true },
];

const CANCEL_FIELDS: FieldSpec[] = [
  { name: 'reason', label: 'Reason for cancelling', errorLabel: 'the reason for cancelling', kind: 'textarea', hint: 'Everyone invited is sent a cancellation.' },
];

/** The IMRs considered: checkboxes (the form's own markup); this spec names their errors. */
const IMR_FIELD: FieldSpec = { name: 'imrIds', label: 'IMRs considered', kind: 'text', optional: true };


function attendanceFields(index: number, agencies: Agencies): FieldSpec[] {
  const n = index + 1;
  return [
    { name: `attendance.${index}.name`, label: 'Name', errorLabel: `the name of guest ${n}`, kind: 'text', optional: true, classes: 'govuk-!-width-two-thirds' },
    {
      name: `attendance.${index}.agencyId`,
      label: 'Agency',
      kind: 'select',
      optional: true,
      emptyOption: 'No agency (the chair, a guest)',
      options: agencies.map((a) => ({ value: a.id, text: a.name })),
    },
    {
      name: `attendance.${index}.status`,
      label: 'Attended or sent apologies',
      errorLabel: `whether guest ${n} attended or sent apologies`,
      kind: 'radios',
      options: optionsOf(ATTENDANCE_STATUSES, ATTENDANCE_STATUS_LABELS),
    },
  ];
}

/**
 * Attendance rows from the form: a row with nothing in its name or status is left out; the
 * others go to the service as they are (a row without a name is the schema's to refuse). `rows`
 * maps the index sent to the service back to the form's row, to put its problems on the row.
 */
function readAttendance(body: FormBody, count: number): { attendance: Array<Record<string, string>>; rows: number[] } {
  const attendance: Array<Record<string, string>> = [];
  const rows: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const name = (body[`attendance.${i}.name`] ?? '').trim();
    const status = body[`attendance.${i}.status`] ?? '';
    const agencyId = body[`attendance.${i}.agencyId`] ?? '';
    if (name === '' && status === '') continue;
    attendance.push({ ...(name ? { name } : {}), ...(agencyId ? { agencyId } : {}), ...(status ? { status } : {}) });
    rows.push(i);
  }
  return { attendance, rows };
}

/** The form fields of stored attendance (the rows as recorded, then spare ones). */
function attendanceValues(attendance: readonly MeetingAttendee[]): Record<string, string> {
  const values: Record<string, string> = {};
  attendance.forEach((a, i) => {
    values[`attendance.${i}.name`] = a.name;
    values[`attendance.${i}.agencyId`] = a.agencyId ?? '';
    values[`attendance.${i}.status`] = a.status;
  });
  return values;
}

/** Puts the service's problems on the form's fields: attendance rows by form row, IMRs on the checkboxes, and its words. */
function formProblems(problems: readonly FormProblem[], rows: readonly number[] = []): FormProblem[] {
  return problems.map((p) => {
    const attendance = /^attendance\.(\d+)\.(\w+)$/.exec(p.field);
    if (attendance) {
      const row = rows[Number(attendance[1])] ?? Number(attendance[1]);
      // Someone ticked from the team (the only refusal of such a tick: attended a meeting not yet started).
      if (row < 0) return { field: 'attended', message: p.message };
      const required = /^(required|is required)$/i.test(p.message);
      return { field: `attendance.${row}.${attendance[2]}`, message: required ? 'is required' : `for guest ${row + 1}: ${p.message}` };
    }
    if (/^imrIds(\.\d+)?$/.test(p.field)) return { field: 'imrIds', message: p.message };
    if (p.field === 'location' && /location or an onlineLink/.test(p.message)) return { field: 'location', message: 'is required' };
    return p;
  });
}

/** The location field's missing-value words (it may be given instead of a link). */
const LOCATION_ERROR_LABEL = 'a location or an online meeting link';

function meetingFields(): FieldSpec[] {
  return MEETING_FIELDS.map((f) => (f.name === 'location' ? { ...f, errorLabel: LOCATION_ERROR_LABEL } : f));
}

/**
 * Reads the when-and-where fields: the date boxes and the time box become the instant the
 * service takes (in UK time); an unreadable time is the form's own problem.
 */
function readMeeting(body: FormBody): { input: Record<string, unknown>; problems: FormProblem[] } {
  const { input, problems } = readForm(MEETING_FIELDS, body);
  delete input.startsAtTime;
  const time = readTime(body.startsAtTime);
  if (time.problem) problems.push({ field: 'startsAtTime', message: time.problem });
  else if (!time.value) problems.push({ field: 'startsAtTime', message: 'is required' });
  const date = input.startsAt;
  if (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date)) {
    // With the time unreadable, the date alone is still checked (midnight), so every problem shows at once.
    input.startsAt = londonInstant(date, time.value ?? { hour: 0, minute: 0 }) ?? date;
  }
  return { input, problems };
}

function stateInWords(meeting: MeetingView): string {
  if (meeting.status === 'held') return `held on ${ukDateTime(meeting.startsAt)}`;
  if (meeting.status === 'cancelled') return `cancelled (${meeting.cancellationReason ?? 'no reason recorded'})`;
  return `scheduled for ${ukDateTime(meeting.startsAt)}`;
}

type Which = 'reschedule' | 'attendance' | 'held' | 'cancel';

const FORM_WORDS: Record<Which, { title: string; button: string; done: string; intro?: string }> = {
  reschedule: { title: 'Reschedule the meeting', button: 'Save the changes', done: 'PANEL_MEETING_RESCHEDULED', intro: 'Everyone invited is sent the updated invitation when the time or place changes.' },
  attendance: { title: 'Record attendance and apologies', button: 'Save attendance', done: 'ATTENDANCE_RECORDED', intro: 'Who came to the meeting, and who sent apologies.' },
  held: { title: 'Record that the meeting was held', button: 'Record the meeting as held', done: 'PANEL_MEETING_HELD', intro: 'The minutes, decisions, the IMRs the panel considered and who attended.' },
  cancel: { title: 'Cancel the meeting', button: 'Cancel the meeting', done: 'PANEL_MEETING_CANCELLED' },
};

const NOTICES = { ATTENDANCE_RECORDED: 'Attendance recorded' };

/**
 * Panel meetings: the list (when, where, status, attendance, papers, IMRs considered); schedule,
 * reschedule, record attendance, mark held with minutes, cancel; and each meeting's calendar
 * invitation (the reminders' iCalendar builder), through MeetingsService.
 */
@ApiExcludeController()
@Controller('cases/:reviewId/meetings')
export class MeetingsPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly meetings: MeetingsService,
    private readonly imrs: ImrsService,
    private readonly agencies: AgenciesService,
    private readonly views: WebViews,
    private readonly clock: Clock,
    private readonly members: ReviewMembersService,
    private readonly panel: PanelService,
    private readonly appointments: AppointmentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get()
  async list(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
    const meetings = await this.meetings.list(reviewId);
    const agencies = await this.agencies.list();
    const agencyNames = new Map(agencies.map((a) => [a.id, a.name]));
    const imrAgency = new Map((await this.imrs.list(reviewId, null)).map((i) => [i.id, agencyNames.get(i.agencyId) ?? '']));
    const papersClocks = new Map(review.clocks.filter((c) => c.kind === 'meeting_papers_due').map((c) => [c.subjectId, c]));
    const mayWrite = may(access, 'meetings.write');
    const person = (a: MeetingAttendee) => (a.agencyId && agencyNames.get(a.agencyId) ? `${a.name} (${agencyNames.get(a.agencyId)})` : a.name);
    const rows = meetings.map((m) => ({
      ...m,
      when: ukDateTime(m.startsAt),
      statusText: MEETING_STATUS_LABELS[m.status],
      attended: m.attendance.filter((a) => a.status === 'attended').map(person),
      apologies: m.attendance.filter((a) => a.status === 'apologies').map(person),
      imrsConsidered: m.imrIds.map((id) => imrAgency.get(id) ?? 'An IMR').sort((a, b) => a.localeCompare(b, 'en-GB')),
      papersClock: m.status === 'scheduled' && !m.papersCirculatedOn ? (papersClocks.get(m.id) ?? null) : null,
      invitation: m.status === 'held' ? null : { href: `/cases/${reviewId}/meetings/${m.id}/invitation`, text: m.status === 'cancelled' ? 'Download the cancellation' : 'Download the invitation' },
      changes: mayWrite && m.status === 'scheduled',
      // Held only once it has started: before, the link is not offered (the API refuses it too).
      started: new Date(m.startsAt).getTime() <= this.clock.now().getTime(),
    }));
    return this.views.render(req, res, 'pages/cases/meetings.njk', {
      pageTitle: `Panel meetings – ${review.reference}`,
      heading: 'Panel meetings',
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      rows,
      counts: {
        total: meetings.length,
        scheduled: meetings.filter((m) => m.status === 'scheduled').length,
        held: meetings.filter((m) => m.status === 'held').length,
      },
      mayWrite,
      caseNav: caseNavigation(access, reviewId, 'meetings'),
      notice: noticeFrom(done, NOTICES),
    });
  }

  @Get('new')
  async newMeeting(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderSchedule(req, res, reviewId, {}, [], 200);
  }

  @Post()
  async schedule(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const { input, problems } = readMeeting(body);
    try {
      const parsed = parseInput(scheduleMeetingSchema(this.meetings.today), input);
      if (problems.length > 0) return this.renderSchedule(req, res, reviewId, body, problems, 400);
      await this.meetings.schedule(reviewId, parsed, actorOf(req));
      return this.views.redirect(res, `/cases/${reviewId}/meetings?done=PANEL_MEETING_SCHEDULED`);
    } catch (error) {
      const refusal = refusalOf(error, MEETING_FIELDS.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderSchedule(req, res, reviewId, body, mergeProblems(problems, formProblems(refusal.problems)), refusal.status, refusal);
    }
  }

  /** The meeting as an iCalendar file (the invitation the reminders send), for the caller's calendar. */
  @Get(':meetingId/invitation')
  async invitation(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string) {
    const review = await this.reviews.get(reviewId);
    const meeting = await this.meetings.get(reviewId, meetingId);
    const organizer = this.config.mail.from;
    const actor = actorOf(req);
    const attendee = looksLikeEmail(actor) ? { email: actor, name: req.signedIn?.user.displayName ?? null } : { email: parseMailbox(organizer).address };
    const page = `${this.config.http.publicBaseUrl.replace(/\/$/, '')}/cases/${reviewId}/meetings`;
    const invitation = buildMeetingInvitation({
      meetingId,
      sequence: Math.max(0, meeting.version - 1),
      method: meeting.status === 'cancelled' ? 'CANCEL' : 'REQUEST',
      reviewReference: review.reference,
      startsAt: meeting.startsAt,
      endsAt: new Date(new Date(meeting.startsAt).getTime() + MEETING_LENGTH_MS),
      location: meeting.location,
      url: meeting.onlineLink ?? page,
      organizer,
      attendees: [attendee],
      stamp: this.clock.now(),
    });
    const filename = `${review.reference}-panel-meeting-${londonParts(meeting.startsAt).date}.ics`;
    res
      .status(200)
      .type('text/calendar; charset=utf-8')
      .setHeader('Content-Disposition', `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`)
      .setHeader('Cache-Control', 'no-store');
    await recordAccessBeforeSending(req, 200);
    res.send(invitation.content);
  }

  @Get(':meetingId/reschedule')
  async reschedulePage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string) {
    return this.renderMeetingForm(req, res, reviewId, meetingId, 'reschedule', null, [], 200);
  }

  @Get(':meetingId/attendance')
  async attendancePage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string) {
    return this.renderMeetingForm(req, res, reviewId, meetingId, 'attendance', null, [], 200);
  }

  @Get(':meetingId/held')
  async heldPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string) {
    return this.renderMeetingForm(req, res, reviewId, meetingId, 'held', null, [], 200);
  }

  @Get(':meetingId/cancel')
  async cancelPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string) {
    return this.renderMeetingForm(req, res, reviewId, meetingId, 'cancel', null, [], 200);
  }

  @Post(':meetingId/reschedule')
  async reschedule(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const { input, problems } = readMeeting(body);
    // Every field is sent: one emptied clears what was recorded (the service's null).
    for (const name of ['location', 'onlineLink', 'agenda', 'papersCirculatedOn']) if (!(name in input)) input[name] = null;
    return this.submit(req, res, reviewId, meetingId, 'reschedule', body, problems, [], async (ifMatch) => {
      const parsed = parseInput(updateMeetingSchema(this.meetings.today), input);
      if (problems.length > 0) return false;
      await this.meetings.update(reviewId, meetingId, parsed, actorOf(req), ifMatch);
      return true;
    });
  }

  @Post(':meetingId/attendance')
  async attendance(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string, @Body() raw: unknown) {
    const { body, attendance, rows, problems } = await this.readAllAttendance(reviewId, raw);
    return this.submit(req, res, reviewId, meetingId, 'attendance', body, problems, rows, async (ifMatch) => {
      const parsed = parseInput(updateMeetingSchema(this.meetings.today), { attendance });
      if (problems.length > 0) return false;
      await this.meetings.update(reviewId, meetingId, parsed, actorOf(req), ifMatch);
      return true;
    });
  }

  @Post(':meetingId/held')
  async held(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string, @Body() raw: unknown) {
    const { body, attendance, rows, problems } = await this.readAllAttendance(reviewId, raw);
    const { input } = readForm(HELD_FIELDS, body);
    const imrIds = formValues(raw, 'imrIds');
    return this.submit(req, res, reviewId, meetingId, 'held', { ...body, imrIds: imrIds.join(' ') }, problems, rows, async (ifMatch) => {
      const parsed = parseInput(holdMeetingSchema, { ...input, imrIds, attendance });
      if (problems.length > 0) return false;
      await this.meetings.hold(reviewId, meetingId, parsed, actorOf(req), ifMatch);
      return true;
    });
  }

  @Post(':meetingId/cancel')
  async cancel(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const { input, problems } = readForm(CANCEL_FIELDS, body);
    return this.submit(req, res, reviewId, meetingId, 'cancel', body, problems, [], async (ifMatch) => {
      await this.meetings.cancel(reviewId, meetingId, parseInput(cancelMeetingSchema, input), actorOf(req), ifMatch);
      return true;
    });
  }

  /** The attendance checkboxes: everyone on the team, ticked as submitted or as recorded. */
  private teamChoices(people: readonly TeamPerson[], values: Record<string, string | null | undefined>, byName: ReadonlyMap<string, FieldView>) {
    const group = (name: 'attended' | 'apologies') => {
      const ticked = new Set((values[name] ?? '').split(' ').filter(Boolean));
      return {
        error: byName.get(name)?.error ?? null,
        items: people.map((p) => ({ value: p.key, text: p.name, hint: { text: p.roles.join('; ') }, checked: ticked.has(p.key) })),
      };
    };
    return { attended: group('attended'), apologies: group('apologies') };
  }

  /** The review team, once per person, for the attendance checkboxes. */
  private async team(reviewId: string): Promise<TeamPerson[]> {
    const agencyNames = new Map((await this.agencies.list()).map((a) => [a.id, a.name]));
    return teamPeople(await this.members.list(reviewId), await this.panel.list(reviewId), await this.appointments.list(reviewId), agencyNames);
  }

  /** The people ticked from the team, then the guest rows (`rows`: -1 for a ticked person, else the guest row). */
  private async readAllAttendance(reviewId: string, raw: unknown) {
    const form = formBody(raw);
    const team = teamAttendanceOf(raw, await this.team(reviewId));
    const guests = readAttendance(form, this.rowCount(form));
    return {
      body: { ...form, ...team.body },
      attendance: [...team.entries, ...guests.attendance],
      rows: [...team.entries.map(() => -1), ...guests.rows],
      problems: team.problems,
    };
  }

  /** How many attendance rows the form had (sent as a hidden field; bounded). */
  private rowCount(body: FormBody): number {
    const n = /^\d{1,3}$/.test(body.attendanceRows ?? '') ? Number(body.attendanceRows) : 0;
    return Math.min(n, 100);
  }

  /**
   * Runs a change of a meeting: done → back to the list; refused → the form again with what
   * the service said; changed since the form was read (412) → what changed, and by whom.
   */
  private async submit(
    req: WebRequest,
    res: Response,
    reviewId: string,
    meetingId: string,
    which: Which,
    body: FormBody,
    problems: FormProblem[],
    rows: number[],
    work: (ifMatch: string | undefined) => Promise<boolean>,
  ) {
    try {
      const done = await work(ifMatchOf(body.version));
      if (!done) return this.renderMeetingForm(req, res, reviewId, meetingId, which, body, problems, 400);
      return this.views.redirect(res, `/cases/${reviewId}/meetings?done=${FORM_WORDS[which].done}`);
    } catch (error) {
      const fields = [...MEETING_FIELDS, ...HELD_FIELDS, ...CANCEL_FIELDS, IMR_FIELD].map((f) => f.name);
      const refusal = refusalOf(error, fields);
      if (!refusal) throw error;
      return this.renderMeetingForm(req, res, reviewId, meetingId, which, body, mergeProblems(problems, formProblems(refusal.problems, rows)), refusal.status, refusal);
    }
  }

  private async renderSchedule(req: WebRequest, res: Response, reviewId: string, body: FormBody, problems: FormProblem[], status: number, refusal?: Refusal) {
    const review = await this.reviews.get(reviewId);
    const form = formView(meetingFields(), { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Schedule a panel meeting – ${review.reference}`,
        review,
        heading: 'Schedule a panel meeting',
        intro: 'The chair and panel members are sent a calendar invitation.',
        back: { href: `/cases/${reviewId}/meetings`, text: 'Back to panel meetings' },
        action: `/cases/${reviewId}/meetings`,
        hidden: {},
        fields: form.fields,
        button: 'Schedule the meeting',
        errorList: [...form.errorList, ...summaryOf(refusal)],
      },
      status,
    );
  }

  private async renderMeetingForm(
    req: WebRequest,
    res: Response,
    reviewId: string,
    meetingId: string,
    which: Which,
    body: FormBody | null,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
  ) {
    const review: ReviewView = await this.reviews.get(reviewId);
    const meeting = await this.meetings.get(reviewId, meetingId);
    const agencies = await this.agencies.list();
    const withAttendance = which === 'attendance' || which === 'held';
    const people = withAttendance ? await this.team(reviewId) : [];
    const recorded = recordedAttendance(meeting.attendance, people);
    const stale = !!refusal?.stale && /^\d{1,9}$/.test(body?.reviewVersion ?? '');
    const shown = stale ? null : body;
    const shownProblems = stale ? [] : problems;

    // The fields as recorded, or as submitted.
    const { date, time } = londonParts(meeting.startsAt);
    const values: Record<string, string | null> = {
      startsAt: date,
      startsAtTime: time,
      location: meeting.location,
      onlineLink: meeting.onlineLink,
      agenda: meeting.agenda,
      papersCirculatedOn: meeting.papersCirculatedOn,
      minutes: meeting.minutes,
      decisions: meeting.decisions,
      ...attendanceValues(recorded.guests),
      attended: recorded.attended.join(' '),
      apologies: recorded.apologies.join(' '),
    };
    const fields = which === 'reschedule' ? meetingFields() : which === 'held' ? HELD_FIELDS : which === 'cancel' ? CANCEL_FIELDS : [];
    const rowCount = Math.max(shown ? this.rowCount(shown) : 0, recorded.guests.length + SPARE_GUEST_ROWS);
    const rowSpecs = withAttendance ? Array.from({ length: rowCount }, (_, i) => attendanceFields(i, agencies)) : [];
    const allFields = [...fields, ...(which === 'held' ? [IMR_FIELD] : []), ...(withAttendance ? TEAM_ATTENDANCE_FIELDS : []), ...rowSpecs.flat()];
    const form = formView(allFields, { body: shown ?? undefined, values, problems: shownProblems });
    const byName = new Map(form.fields.map((f) => [f.name, f]));
    const pick = (specs: FieldSpec[]) => specs.map((s) => byName.get(s.name) as FieldView);

    // The IMRs the panel may have considered (checked: as submitted, or as recorded).
    let imrChoices: Array<{ value: string; text: string; hint?: { text: string }; checked: boolean }> = [];
    if (which === 'held') {
      const agencyNames = new Map(agencies.map((a) => [a.id, a.name]));
      const checked = new Set(shown ? (shown.imrIds ?? '').split(' ').filter(Boolean) : meeting.imrIds);
      imrChoices = (await this.imrs.list(reviewId, null)).map((imr) => ({
        value: imr.id,
        text: agencyNames.get(imr.agencyId) ?? 'An agency',
        hint: { text: `${IMR_KIND_LABELS[imr.kind as keyof typeof IMR_KIND_LABELS] ?? imr.kind}, ${imr.receivedOn ? `received ${ukDate(imr.receivedOn)}` : 'not received yet'}` },
        checked: checked.has(imr.id),
      }));
    }

    let errors: Record<string, unknown> = { errorList: [...form.errorList, ...summaryOf(refusal)] };
    if (stale) {
      const history = await this.reviews.history(reviewId, accessOf(req));
      const changes = changesSince(history, Number(body?.reviewVersion), (e) => e.payload?.meetingId === meetingId);
      errors = staleSummary('meeting', changes, `It is now ${stateInWords(meeting)}`);
    }
    const words = FORM_WORDS[which];
    const about = [
      { key: { text: 'When' }, value: { text: ukDateTime(meeting.startsAt) } },
      { key: { text: 'Where' }, value: { text: [meeting.location, meeting.onlineLink].filter(Boolean).join(', ') } },
      { key: { text: 'Status' }, value: { text: MEETING_STATUS_LABELS[meeting.status] } },
    ];
    return this.views.render(
      req,
      res,
      'pages/cases/meeting-form.njk',
      {
        pageTitle: `${words.title} – ${review.reference}`,
        review,
        heading: words.title,
        intro: words.intro,
        about,
        back: { href: `/cases/${reviewId}/meetings`, text: 'Back to panel meetings' },
        action: `/cases/${reviewId}/meetings/${meetingId}/${which}`,
        hidden: { version: meeting.version, reviewVersion: review.version, ...(withAttendance ? { attendanceRows: rowCount } : {}) },
        fields: pick(fields),
        imrs: which === 'held' ? { field: byName.get('imrIds'), items: imrChoices } : null,
        attendanceRows: rowSpecs.map((specs, i) => ({ legend: `Guest ${i + 1}`, fields: pick(specs) })),
        team: withAttendance ? this.teamChoices(people, shown ?? values, byName) : null,
        button: words.button,
        warning: which === 'cancel',
        closed:
          meeting.status !== 'scheduled'
            ? `Nothing more can be changed: the meeting was ${stateInWords(meeting)}.`
            : which === 'held' && new Date(meeting.startsAt).getTime() > this.clock.now().getTime()
              ? `The meeting starts on ${ukDateTime(meeting.startsAt)}: it can be recorded as held once it has started. Reschedule it if it took place earlier.`
              : null,
        ...errors,
      },
      status,
    );
  }
}
