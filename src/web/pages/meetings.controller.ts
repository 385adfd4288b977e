import { Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { recordAccessBeforeSending } from '../../audit/access-log.interceptor';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import type { MeetingAttendee } from '../../casefile/entities';
import { ReviewMembersService } from '../../access/members';
import { AppointmentsService } from '../../casefile/appointments/appointments.service';
import { ImrsService } from '../../casefile/imrs/imrs.service';
import { PanelService } from '../../casefile/panel/panel.service';
import { cancelMeetingSchema, holdMeetingSchema, scheduleMeetingSchema, updateMeetingSchema } from '../../casefile/meetings/meetings.schemas';
import { MeetingsService } from '../../casefile/meetings/meetings.service';
import { Clock } from '../../infrastructure/clock/clock';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import { parseInput } from '../../infrastructure/http/validation';
import { buildMeetingInvitation, parseMailbox } from '../../reminders/mail/meeting-invitation';
import { MEETING_LENGTH_MS } from '../../reminders/meeting-invitations.job';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import { FieldSpec, FieldView, formBody } from '../forms';
import { IMR_KIND_LABELS, MEETING_STATUS_LABELS } from '../labels';
import { londonParts } from '../meeting-times';
import { ukDate, ukDateTime } from '../web-views';
import type { WebRequest } from '../web-views';
import { FormPages, FormRoute, PageController, parseWith, TabRoute, versions } from './form-page';
import type { FormContext, FormPage, TabContext } from './form-page';
import { formValues, looksLikeEmail, noticeFrom } from './more-page-support';
import { accessOf, actorOf } from './page-support';
import { recordedAttendance, TEAM_ATTENDANCE_FIELDS, teamAttendanceOf, TeamPerson, teamPeople } from './meeting-attendance';
import { attendanceFields, attendanceValues, FORM_WORDS, formProblems, guestRows, IMR_FIELD, meetingFields, NOTICES, readAttendance, readMeeting, rowCount, stateInWords, teamChoices } from './meeting-forms';
import type { MeetingSubject, Which } from './meeting-forms';

/**
 * Panel meetings: the list (when, where, status, attendance, papers, IMRs considered); schedule,
 * reschedule, record attendance, mark held with minutes, cancel; and each meeting's calendar
 * invitation (the reminders' iCalendar builder), through MeetingsService.
 */
@PageController('cases/:reviewId/meetings')
export class MeetingsPagesController {
  /** The form rows each attendance sent to the service came from (-1: ticked from the team), for its problems. */
  private readonly sentRows = new WeakMap<FormContext, number[]>();

  constructor(
    private readonly meetings: MeetingsService,
    private readonly imrs: ImrsService,
    private readonly agencies: AgenciesService,
    private readonly clock: Clock,
    private readonly members: ReviewMembersService,
    private readonly panel: PanelService,
    private readonly appointments: AppointmentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    readonly forms: FormPages,
  ) {}

  @TabRoute('', { template: 'pages/cases/meetings.njk', key: 'meetings', heading: 'Panel meetings' })
  async list(review: ReviewView, { req, params: { reviewId }, query }: TabContext) {
    const meetings = await this.meetings.list(reviewId);
    const agencyNames = new Map((await this.agencies.list()).map((a) => [a.id, a.name]));
    const imrAgency = new Map((await this.imrs.list(reviewId, null)).map((i) => [i.id, agencyNames.get(i.agencyId) ?? '']));
    const papersClocks = new Map(review.clocks.filter((c) => c.kind === 'meeting_papers_due').map((c) => [c.subjectId, c]));
    const mayWrite = may(accessOf(req), 'meetings.write');
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
    const counts = { total: meetings.length, scheduled: meetings.filter((m) => m.status === 'scheduled').length, held: meetings.filter((m) => m.status === 'held').length };
    return { rows, counts, mayWrite, notice: noticeFrom(query.done, NOTICES) };
  }

  /** When and where; the chair and panel are sent a calendar invitation (none for a meeting already past). */
  @FormRoute('new', { post: '' })
  schedulePage(): FormPage {
    return {
      fields: meetingFields(),
      submit: async (_input, { params, body, actor }) => {
        const { input, problems } = readMeeting(body ?? {});
        await this.meetings.schedule(params.reviewId, parseWith(scheduleMeetingSchema(this.meetings.today), input, problems), actor());
        return `/cases/${params.reviewId}/meetings?done=PANEL_MEETING_SCHEDULED`;
      },
      problems: (problems) => formProblems(problems),
      view: (review, { params }) => ({
        review,
        heading: 'Schedule a panel meeting',
        intro: 'The chair and panel members are sent a calendar invitation.',
        back: { href: `/cases/${params.reviewId}/meetings`, text: 'Back to panel meetings' },
        action: `/cases/${params.reviewId}/meetings`,
        button: 'Schedule the meeting',
      }),
    };
  }

  /** The meeting as an iCalendar file (the invitation the reminders send), for the caller's calendar. */
  @Get(':meetingId/invitation')
  async invitation(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string) {
    const review = await this.forms.review(reviewId);
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

  /** A meeting's forms: reschedule, attendance, held (minutes, IMRs considered, attendance), cancel. */
  @FormRoute(':meetingId/reschedule', { page: 'reschedule' })
  @FormRoute(':meetingId/attendance', { page: 'attendance' })
  @FormRoute(':meetingId/held', { page: 'held' })
  @FormRoute(':meetingId/cancel', { page: 'cancel' })
  meetingPage(which: Which): FormPage<MeetingSubject> {
    const words = FORM_WORDS[which];
    const withAttendance = which === 'attendance' || which === 'held';
    return {
      template: 'pages/cases/meeting-form.njk',
      load: async ({ params: { reviewId, meetingId } }) => {
        const meeting = await this.meetings.get(reviewId, meetingId);
        const people = withAttendance ? await this.team(reviewId) : [];
        const imrs = which === 'held' ? await this.imrs.list(reviewId, null) : [];
        return { review: await this.forms.review(reviewId), meeting, agencies: await this.agencies.list(), people, recorded: recordedAttendance(meeting.attendance, people), imrs };
      },
      fields: (ctx, subject) => [
        ...words.fields(),
        ...(which === 'held' ? [IMR_FIELD] : []),
        ...(withAttendance ? [...TEAM_ATTENDANCE_FIELDS, ...Array.from({ length: guestRows(ctx, subject) }, (_, i) => attendanceFields(i, subject?.agencies ?? [])).flat()] : []),
      ],
      values: ({ meeting, recorded }) => {
        // The fields as recorded.
        const { date, time } = londonParts(meeting.startsAt);
        return {
          startsAt: date,
          startsAtTime: time,
          location: meeting.location,
          onlineLink: meeting.onlineLink,
          agenda: meeting.agenda,
          papersCirculatedOn: meeting.papersCirculatedOn,
          minutes: meeting.minutes,
          decisions: meeting.decisions,
          ...attendanceValues(recorded.guests),
        };
      },
      submit: async (input, ctx) => {
        const { params, raw, actor, ifMatch } = ctx;
        const { reviewId, meetingId } = params;
        if (which === 'cancel') {
          await this.meetings.cancel(reviewId, meetingId, parseInput(cancelMeetingSchema, input), actor(), ifMatch);
        } else if (which === 'reschedule') {
          const read = readMeeting(ctx.body ?? {});
          // Every field is sent: one emptied clears what was recorded (the service's null).
          for (const name of ['location', 'onlineLink', 'agenda', 'papersCirculatedOn']) if (!(name in read.input)) read.input[name] = null;
          await this.meetings.update(reviewId, meetingId, parseWith(updateMeetingSchema(this.meetings.today), read.input, read.problems), actor(), ifMatch);
        } else {
          const { attendance, rows, problems } = await this.readAllAttendance(reviewId, raw);
          this.sentRows.set(ctx, rows);
          if (which === 'attendance') {
            await this.meetings.update(reviewId, meetingId, parseWith(updateMeetingSchema(this.meetings.today), { attendance }, problems), actor(), ifMatch);
          } else {
            const held = { minutes: input.minutes, decisions: input.decisions, imrIds: formValues(raw, 'imrIds'), attendance };
            await this.meetings.hold(reviewId, meetingId, parseWith(holdMeetingSchema, held, problems), actor(), ifMatch);
          }
        }
        return `/cases/${reviewId}/meetings?done=${words.done}`;
      },
      problems: (problems, _input, ctx) => formProblems(problems, this.sentRows.get(ctx)),
      stale: { what: 'meeting', about: (e, { params }) => e.payload?.meetingId === params.meetingId, now: ({ meeting }) => `It is now ${stateInWords(meeting)}` },
      view: (subject, ctx) => {
        const { review, meeting } = subject;
        return {
        pageTitle: `${words.title} – ${review.reference}`,
        review,
        heading: words.title,
        intro: words.intro,
        about: [
          { key: { text: 'When' }, value: { text: ukDateTime(meeting.startsAt) } },
          { key: { text: 'Where' }, value: { text: [meeting.location, meeting.onlineLink].filter(Boolean).join(', ') } },
          { key: { text: 'Status' }, value: { text: MEETING_STATUS_LABELS[meeting.status] } },
        ],
        back: { href: `/cases/${review.id}/meetings`, text: 'Back to panel meetings' },
        action: `/cases/${review.id}/meetings/${meeting.id}/${which}`,
        hidden: { ...versions(meeting, review), ...(withAttendance ? { attendanceRows: guestRows(ctx, subject) } : {}) },
        button: words.button,
        warning: which === 'cancel',
        closed:
          meeting.status !== 'scheduled'
            ? `Nothing more can be changed: the meeting was ${stateInWords(meeting)}.`
            : which === 'held' && new Date(meeting.startsAt).getTime() > this.clock.now().getTime()
              ? `The meeting starts on ${ukDateTime(meeting.startsAt)}: it can be recorded as held once it has started. Reschedule it if it took place earlier.`
              : null,
        };
      },
      arrange: (fields, { people, recorded, imrs, agencies, meeting }, { body, raw }) => {
        const byName = new Map(fields.map((f) => [f.name, f]));
        const pick = (specs: readonly FieldSpec[]) => specs.map((s) => byName.get(s.name) as FieldView);
        const rows = withAttendance ? fields.filter((f) => /^attendance\.\d+\.name$/.test(f.name)).length : 0;
        const agencyNames = new Map(agencies.map((a) => [a.id, a.name]));
        // Checked as submitted, or as recorded.
        const imrChecked = body ? formValues(raw, 'imrIds') : meeting.imrIds;
        const ticks = body ? { attended: formValues(raw, 'attended'), apologies: formValues(raw, 'apologies') } : recorded;
        return {
          fields: pick(words.fields()),
          imrs:
            which === 'held'
              ? {
                  field: byName.get('imrIds'),
                  items: imrs.map((imr) => ({
                    value: imr.id,
                    text: agencyNames.get(imr.agencyId) ?? 'An agency',
                    hint: { text: `${IMR_KIND_LABELS[imr.kind as keyof typeof IMR_KIND_LABELS] ?? imr.kind}, ${imr.receivedOn ? `received ${ukDate(imr.receivedOn)}` : 'not received yet'}` },
                    checked: imrChecked.includes(imr.id),
                  })),
                }
              : null,
          attendanceRows: Array.from({ length: rows }, (_, i) => ({ legend: `Guest ${i + 1}`, fields: pick(attendanceFields(i, agencies)) })),
          team: withAttendance ? teamChoices(people, ticks, byName) : null,
        };
      },
    };
  }

  /** The review team, once per person, for the attendance checkboxes. */
  private async team(reviewId: string): Promise<TeamPerson[]> {
    const agencyNames = new Map((await this.agencies.list()).map((a) => [a.id, a.name]));
    return teamPeople(await this.members.list(reviewId), await this.panel.list(reviewId), await this.appointments.list(reviewId), agencyNames);
  }

  /** The people ticked from the team, then the guest rows (`rows`: -1 for a ticked person, else the guest row). */
  private async readAllAttendance(reviewId: string, raw: unknown) {
    const team = teamAttendanceOf(raw, await this.team(reviewId));
    const guests = readAttendance(formBody(raw), rowCount(formBody(raw)));
    return { attendance: [...team.entries, ...guests.attendance], rows: [...team.entries.map(() => -1), ...guests.rows], problems: team.problems };
  }
}
