import { Body, NotFoundException, Param, Post, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { addMemberSchema, ReviewMembersService } from '../../access/members';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { appointSchema } from '../../casefile/appointments/appointments.schemas';
import { AppointmentsService } from '../../casefile/appointments/appointments.service';
import { addPanelMemberSchema } from '../../casefile/panel/panel.schemas';
import { PanelService } from '../../casefile/panel/panel.service';
import { RequestValidationError } from '../../infrastructure/http/errors';
import { parseInput } from '../../infrastructure/http/validation';
import type { CaseFileWrite } from '../../casefile/casefile-transactions';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import type { FormProblem, Refusal } from '../forms';
import { APPOINTMENT_ROLE_LABELS, REVIEW_ROLE_LABELS } from '../labels';
import { ukDate } from '../web-views';
import type { WebRequest } from '../web-views';
import { FormPages, FormRoute, PageController, TabRoute } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { APPOINTMENT_FIELDS, declarationInput, declarationProblems, memberFields, splitDeclarations, memberProblems, NOTICES, panelFields, panelProblems, roleRefusal } from './team-forms';
import { noticeFrom } from './more-page-support';
import { accessOf } from './page-support';

type MemberView = Awaited<ReturnType<ReviewMembersService['list']>>[number];

/** A 403 of the members service naming the role, as the form's refusal (the form again, 403). */
function refusedFor(problems: (byRole: FormProblem[]) => Pick<Refusal, 'problems' | 'summary'>) {
  return (error: unknown): Refusal | null => {
    const byRole = roleRefusal(error);
    return byRole.length > 0 ? { status: 403, reasons: [], stale: false, ...problems(byRole) } : null;
  };
}

const BACK = (reviewId: string) => ({ href: `/cases/${reviewId}/team`, text: 'Back to the review team' });

/**
 * The review team: who holds which role on the review (ReviewMembersService, which decides who
 * may give and end each role), with forms to add a member (inviting by email who is not yet a
 * user) and end a membership or withdraw an invitation; and, for those the policy lets read
 * them, the chair and report writer appointments (with the declaration of independence) and the
 * panel, each with its own form.
 */
@PageController('cases/:reviewId/team')
export class TeamPagesController {
  constructor(
    private readonly members: ReviewMembersService,
    private readonly appointments: AppointmentsService,
    private readonly panel: PanelService,
    private readonly agencies: AgenciesService,
    readonly forms: FormPages,
  ) {}

  @TabRoute('', { template: 'pages/cases/team.njk', key: 'team', heading: 'Review team' })
  async team(_review: ReviewView, { req, params: { reviewId }, query }: TabContext) {
    const access = accessOf(req);
    const agencyNames = new Map((await this.agencies.list()).map((a) => [a.id, a.name]));
    const mayManage = may(access, 'members.manage');
    const members = (await this.members.list(reviewId)).map((m) => ({
      ...m,
      roleText: REVIEW_ROLE_LABELS[m.role] ?? m.role,
      endHref: mayManage && !m.endedAt ? `/cases/${reviewId}/team/members/${m.id}/end` : null,
      resendAction: mayManage && !m.endedAt && m.pending && m.email ? `/cases/${reviewId}/team/members/${m.id}/resend` : null,
    }));
    const appointments = may(access, 'appointments.read')
      ? (await this.appointments.list(reviewId)).map((a) => ({ ...a, roleText: APPOINTMENT_ROLE_LABELS[a.role] ?? a.role }))
      : null;
    const panel = may(access, 'panel.read') ? (await this.panel.list(reviewId)).map((m) => ({ ...m, agencyName: agencyNames.get(m.agencyId) ?? '' })) : null;
    return {
      members: { active: members.filter((m) => !m.endedAt), ended: members.filter((m) => m.endedAt) },
      appointments,
      panel,
      mayManage,
      mayAppoint: may(access, 'appointments.write'),
      mayAddPanel: may(access, 'panel.write'),
      notice: noticeFrom(query.done, NOTICES),
    };
  }

  /** A member, with what their role declares (their appointment or panel place) in the same transaction. */
  @FormRoute('members/new', { post: 'members' })
  memberPage(): FormPage {
    return {
      fields: async () => memberFields(await this.agencies.list()),
      submit: async (input, { params: { reviewId }, req, actor }) => {
        const { member: memberInput, declared } = splitDeclarations(input);
        const today = this.appointments.today();
        const declare = async (w: CaseFileWrite, name: string) => {
          const what = declarationInput(memberInput.role, memberInput, declared, name, today);
          if (!what) return;
          try {
            if (what.kind === 'appointment') await this.appointments.appointWithin(w, reviewId, parseInput(appointSchema(this.appointments.today), what.input), actor());
            else await this.panel.addWithin(w, reviewId, parseInput(addPanelMemberSchema(this.panel.today), what.input), actor());
          } catch (error) {
            if (error instanceof RequestValidationError) throw new RequestValidationError(declarationProblems(error.problems));
            throw error;
          }
        };
        const member = await this.members.add(reviewId, parseInput(addMemberSchema, memberInput), actor(), accessOf(req), declare);
        return `/cases/${reviewId}/team?done=${member.pending ? 'INVITED' : 'MEMBER_ADDED'}`;
      },
      refused: refusedFor((problems) => ({ problems, summary: null })),
      problems: (problems) => memberProblems(problems),
      view: (review, { params: { reviewId } }) => ({
        review,
        heading: 'Add a member to the review',
        intro:
          'Members see this review and act on it as their role allows. The CSP lead appoints the chair and the report writer; the CSP lead or the chair adds panel members and IMR authors. Someone who is not yet a user of this service is sent an invitation by email.',
        back: BACK(reviewId),
        action: `/cases/${reviewId}/team/members`,
        button: 'Add the member',
      }),
    };
  }

  /** End a membership, or withdraw an invitation not yet taken up; `resend` sends the invitation again (refused: this page, with why). */
  @FormRoute('members/:memberId/end', { page: 'end' })
  endPage(which: 'end' | 'resend' = 'end'): FormPage<{ review: ReviewView; member: MemberView }> {
    return {
      load: async ({ params: { reviewId, memberId } }) => {
        const member = (await this.members.list(reviewId)).find((m) => m.id === memberId);
        if (!member) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No member with this id in this review' });
        return { review: await this.forms.review(reviewId), member };
      },
      fields: [],
      submit: async (_input, { params: { reviewId, memberId }, req, actor }) => {
        if (which === 'resend') {
          await this.members.resend(reviewId, memberId, actor(), accessOf(req));
          return `/cases/${reviewId}/team?done=INVITATION_RESENT`;
        }
        const ended = await this.members.end(reviewId, memberId, actor(), accessOf(req));
        return `/cases/${reviewId}/team?done=${ended.withdrewInvitation ? 'INVITATION_WITHDRAWN' : 'MEMBER_ENDED'}`;
      },
      refused: refusedFor((byRole) => ({ problems: [], summary: sentence(byRole[0].message.replace(/^is refused: /, '')) })),
      view: ({ review, member }) => {
        const who = member.displayName ?? member.email ?? 'this member';
        const words =
          member.pending && member.invitation
            ? {
                heading: `Withdraw the invitation to ${who}`,
                intro: 'The link in their invitation email stops working, unless they are invited to another role on this review. The invitation stays in the review’s history.',
                button: 'Withdraw the invitation',
              }
            : {
                heading: `End the membership of ${who}`,
                intro: 'They lose access to this review at once, unless they hold another role on it. The membership stays in the review’s history.',
                button: 'End the membership',
              };
        return {
          review,
          ...words,
          about: [
            { key: { text: 'Name' }, value: { text: member.displayName ?? '' } },
            { key: { text: 'Email address' }, value: { text: member.email ?? '' } },
            { key: { text: 'Role' }, value: { text: `${REVIEW_ROLE_LABELS[member.role] ?? member.role}${member.agency ? `, ${member.agency}` : ''}` } },
            { key: { text: 'Added' }, value: { text: `${ukDate(member.addedAt)} by ${member.addedByName ?? member.addedBy}` } },
          ],
          back: BACK(review.id),
          action: `/cases/${review.id}/team/members/${member.id}/end`,
          warning: true,
          closed: member.endedAt ? `This membership ended on ${ukDate(member.endedAt)} (by ${member.endedByName ?? member.endedBy ?? 'someone'}).` : null,
        };
      },
    };
  }

  /** Sends the invitation again (a new link, the old one no longer works); refused, the end page says why. */
  @Post('members/:memberId/resend')
  resend(@Req() req: WebRequest, @Res() res: Response, @Param() params: Record<string, string>, @Body() raw: unknown) {
    return this.forms.post(this.endPage('resend'), req, res, params, raw);
  }

  /** The review's record of its independent chair or report writer. */
  @FormRoute('appointments/new', { post: 'appointments' })
  appointmentPage(): FormPage {
    return {
      fields: APPOINTMENT_FIELDS,
      submit: async (input, { params: { reviewId }, actor }) => {
        const appointment = await this.appointments.appoint(reviewId, parseInput(appointSchema(this.appointments.today), input), actor());
        return `/cases/${reviewId}/team?done=${appointment.role === 'chair' ? 'CHAIR_APPOINTED' : 'REPORT_WRITER_APPOINTED'}`;
      },
      view: (review, { params: { reviewId } }) => ({
        review,
        heading: 'Record an appointment',
        intro: 'The review’s record of its independent chair or report writer. To let them use this service for the review, also add them to the review team as a member.',
        back: BACK(reviewId),
        action: `/cases/${reviewId}/team/appointments`,
        button: 'Record the appointment',
      }),
    };
  }

  /** A senior representative of an agency on the panel, with their declaration. */
  @FormRoute('panel-members/new', { post: 'panel-members' })
  panelPage(): FormPage {
    return {
      fields: async () => panelFields(await this.agencies.list()),
      submit: async (input, { params: { reviewId }, actor }) => {
        await this.panel.add(reviewId, parseInput(addPanelMemberSchema(this.panel.today), input), actor());
        return `/cases/${reviewId}/team?done=PANEL_MEMBER_ADDED`;
      },
      problems: (problems) => panelProblems(problems),
      view: (review, { params: { reviewId } }) => ({
        review,
        heading: 'Add a panel member',
        intro: 'A senior representative of an agency on the review panel. To let them use this service for the review, also add them to the review team as a member.',
        back: BACK(reviewId),
        action: `/cases/${reviewId}/team/panel-members`,
        button: 'Add the panel member',
      }),
    };
  }
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
