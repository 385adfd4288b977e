import { Body, Controller, Get, NotFoundException, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { addMemberSchema, ReviewMembersService } from '../../access/members';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { appointSchema } from '../../casefile/appointments/appointments.schemas';
import { AppointmentsService } from '../../casefile/appointments/appointments.service';
import { addPanelMemberSchema } from '../../casefile/panel/panel.schemas';
import { PanelService } from '../../casefile/panel/panel.service';
import { CspsService } from '../../csps/csps.service';
import { RequestValidationError } from '../../infrastructure/http/errors';
import { parseInput } from '../../infrastructure/http/validation';
import type { CaseFileWrite } from '../../casefile/casefile-transactions';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, may } from '../case-pages';
import { FormBody, formBody, FormProblem, formView, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { APPOINTMENT_ROLE_LABELS, REVIEW_ROLE_LABELS } from '../labels';
import { ukDate, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { APPOINTMENT_FIELDS, declarationInput, declarationProblems, memberFields, splitDeclarations, memberProblems, NOTICES, panelFields, panelProblems, roleRefusal } from './team-forms';
import { cspNameOf, noticeFrom } from './more-page-support';
import { accessOf, actorOf, submitForm } from './page-support';

type MemberView = Awaited<ReturnType<ReviewMembersService['list']>>[number];

/**
 * The review team: who holds which role on the review (ReviewMembersService, which decides who
 * may give and end each role), with forms to add a member and end a membership; and, for those
 * the policy lets read them, the chair and report writer appointments (with the declaration of
 * independence) and the panel, each with its own form.
 */
@ApiExcludeController()
@Controller('cases/:reviewId/team')
export class TeamPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly members: ReviewMembersService,
    private readonly appointments: AppointmentsService,
    private readonly panel: PanelService,
    private readonly agencies: AgenciesService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async team(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
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
    return this.views.render(req, res, 'pages/cases/team.njk', {
      pageTitle: `Review team – ${review.reference}`,
      heading: 'Review team',
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      members: { active: members.filter((m) => !m.endedAt), ended: members.filter((m) => m.endedAt) },
      appointments,
      panel,
      mayManage,
      mayAppoint: may(access, 'appointments.write'),
      mayAddPanel: may(access, 'panel.write'),
      caseNav: caseNavigation(access, reviewId, 'team'),
      notice: noticeFrom(done, NOTICES),
    });
  }

  // Members of the review

  @Get('members/new')
  async newMember(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderForm(req, res, reviewId, 'member', {}, [], 200);
  }

  @Post('members')
  async addMember(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const fields = memberFields(await this.agencies.list());
    const { input, problems } = readForm(fields, body);
    const { member: memberInput, declared } = splitDeclarations(input);
    const today = this.appointments.today();
    // What the role declares goes with the membership, in its transaction (one record per person).
    const declare = async (w: CaseFileWrite, name: string) => {
      const what = declarationInput(memberInput.role, memberInput, declared, name, today);
      if (!what) return;
      try {
        if (what.kind === 'appointment') await this.appointments.appointWithin(w, reviewId, parseInput(appointSchema(this.appointments.today), what.input), actorOf(req));
        else await this.panel.addWithin(w, reviewId, parseInput(addPanelMemberSchema(this.panel.today), what.input), actorOf(req));
      } catch (error) {
        if (error instanceof RequestValidationError) throw new RequestValidationError(declarationProblems(error.problems));
        throw error;
      }
    };
    try {
      const member = await this.members.add(reviewId, parseInput(addMemberSchema, memberInput), actorOf(req), accessOf(req), declare);
      return this.views.redirect(res, `/cases/${reviewId}/team?done=${member.pending ? 'INVITED' : 'MEMBER_ADDED'}`);
    } catch (error) {
      const byRole = roleRefusal(error);
      if (byRole.length > 0) return this.renderForm(req, res, reviewId, 'member', body, mergeProblems(problems, byRole), 403);
      const refusal = refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderForm(req, res, reviewId, 'member', body, mergeProblems(problems, memberProblems(refusal.problems)), refusal.status, refusal);
    }
  }

  @Post('members/:memberId/resend')
  async resend(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('memberId') memberId: string) {
    try {
      await this.members.resend(reviewId, memberId, actorOf(req), accessOf(req));
      return this.views.redirect(res, `/cases/${reviewId}/team?done=INVITATION_RESENT`);
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      return this.renderEnd(req, res, reviewId, memberId, summaryOf(refusal), refusal.status);
    }
  }

  @Get('members/:memberId/end')
  async endPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('memberId') memberId: string) {
    return this.renderEnd(req, res, reviewId, memberId, [], 200);
  }

  @Post('members/:memberId/end')
  async end(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('memberId') memberId: string) {
    try {
      const ended = await this.members.end(reviewId, memberId, actorOf(req), accessOf(req));
      return this.views.redirect(res, `/cases/${reviewId}/team?done=${ended.withdrewInvitation ? 'INVITATION_WITHDRAWN' : 'MEMBER_ENDED'}`);
    } catch (error) {
      const byRole = roleRefusal(error);
      if (byRole.length > 0) return this.renderEnd(req, res, reviewId, memberId, [{ text: sentence(byRole[0].message.replace(/^is refused: /, '')) }], 403);
      const refusal = refusalOf(error);
      if (!refusal) throw error;
      return this.renderEnd(req, res, reviewId, memberId, summaryOf(refusal), refusal.status);
    }
  }

  // Appointments and the panel

  @Get('appointments/new')
  async newAppointment(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderForm(req, res, reviewId, 'appointment', {}, [], 200);
  }

  @Post('appointments')
  async appoint(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      APPOINTMENT_FIELDS,
      body,
      async (input) => {
        const appointment = await this.appointments.appoint(reviewId, parseInput(appointSchema(this.appointments.today), input), actorOf(req));
        return `/cases/${reviewId}/team?done=${appointment.role === 'chair' ? 'CHAIR_APPOINTED' : 'REPORT_WRITER_APPOINTED'}`;
      },
      (problems, refusal) => this.renderForm(req, res, reviewId, 'appointment', body, problems, refusal.status, refusal),
    );
  }

  @Get('panel-members/new')
  async newPanelMember(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderForm(req, res, reviewId, 'panel', {}, [], 200);
  }

  @Post('panel-members')
  async addPanelMember(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const fields = panelFields(await this.agencies.list());
    const { input, problems } = readForm(fields, body);
    try {
      await this.panel.add(reviewId, parseInput(addPanelMemberSchema(this.panel.today), input), actorOf(req));
      return this.views.redirect(res, `/cases/${reviewId}/team?done=PANEL_MEMBER_ADDED`);
    } catch (error) {
      const refusal = refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderForm(req, res, reviewId, 'panel', body, mergeProblems(problems, panelProblems(refusal.problems)), refusal.status, refusal);
    }
  }

  private async renderForm(
    req: WebRequest,
    res: Response,
    reviewId: string,
    which: 'member' | 'appointment' | 'panel',
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
  ) {
    const review = await this.reviews.get(reviewId);
    const agencies = which === 'appointment' ? [] : await this.agencies.list();
    const words = {
      member: {
        heading: 'Add a member to the review',
        intro: 'Members see this review and act on it as their role allows. The CSP lead appoints the chair and the report writer; the CSP lead or the chair adds panel members and IMR authors. Someone who is not yet a user of this service is sent an invitation by email.',
        action: `/cases/${reviewId}/team/members`,
        fields: memberFields(agencies),
        button: 'Add the member',
      },
      appointment: {
        heading: 'Record an appointment',
        intro: 'The review’s record of its independent chair or report writer. To let them use this service for the review, also add them to the review team as a member.',
        action: `/cases/${reviewId}/team/appointments`,
        fields: APPOINTMENT_FIELDS,
        button: 'Record the appointment',
      },
      panel: {
        heading: 'Add a panel member',
        intro: 'A senior representative of an agency on the review panel. To let them use this service for the review, also add them to the review team as a member.',
        action: `/cases/${reviewId}/team/panel-members`,
        fields: panelFields(agencies),
        button: 'Add the panel member',
      },
    }[which];
    const form = formView(words.fields, { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `${words.heading} – ${review.reference}`,
        review,
        heading: words.heading,
        intro: words.intro,
        back: { href: `/cases/${reviewId}/team`, text: 'Back to the review team' },
        action: words.action,
        hidden: {},
        fields: form.fields,
        button: words.button,
        errorList: [...form.errorList, ...summaryOf(refusal)],
      },
      status,
    );
  }

  private async renderEnd(req: WebRequest, res: Response, reviewId: string, memberId: string, errorList: Array<{ text: string }>, status: number) {
    const review = await this.reviews.get(reviewId);
    const member: MemberView | undefined = (await this.members.list(reviewId)).find((m) => m.id === memberId);
    if (!member) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No member with this id in this review' });
    const who = member.displayName ?? member.email ?? 'this member';
    const words = member.pending && member.invitation
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
    const about = [
      { key: { text: 'Name' }, value: { text: member.displayName ?? '' } },
      { key: { text: 'Email address' }, value: { text: member.email ?? '' } },
      { key: { text: 'Role' }, value: { text: `${REVIEW_ROLE_LABELS[member.role] ?? member.role}${member.agency ? `, ${member.agency}` : ''}` } },
      { key: { text: 'Added' }, value: { text: `${ukDate(member.addedAt)} by ${member.addedBy}` } },
    ];
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `${words.heading} – ${review.reference}`,
        review,
        heading: words.heading,
        about,
        intro: words.intro,
        back: { href: `/cases/${reviewId}/team`, text: 'Back to the review team' },
        action: `/cases/${reviewId}/team/members/${memberId}/end`,
        hidden: {},
        fields: [],
        button: words.button,
        warning: true,
        closed: member.endedAt ? `This membership ended on ${ukDate(member.endedAt)} (by ${member.endedBy ?? 'someone'}).` : null,
        errorList,
      },
      status,
    );
  }
}

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
