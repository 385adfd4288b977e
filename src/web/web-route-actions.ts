import type { Action } from '../access/actions';

const C = '/cases/:reviewId';

/**
 * Every web page route and the action it takes (merged into the policy's route table), keyed
 * `METHOD /path` exactly as Express registers it. A page takes the action its API route takes:
 * the IMR tracker reads IMRs, recording a receipt writes one, a RAG decision is a lifecycle
 * event. A spec checks this lists every page route and nothing else.
 */
export const WEB_ROUTE_ACTIONS: Readonly<Record<string, Action>> = {
  'GET /': 'public',
  'GET /sign-in': 'public',
  'POST /sign-in': 'public',
  'POST /sign-out': 'public',
  // An invitation to a review team: the link's token is the proof (InvitationsService).
  'GET /sign-in/invitations/:token': 'public',
  'POST /sign-in/invitations/:token': 'public',

  'GET /my-work': 'self',
  // The committee progress report page (its DOCX and PDF are GET /reports/committee).
  'GET /committee-report': 'reports.read',
  // The oversight page (its CSV and XLSX are GET /reports/oversight).
  'GET /oversight': 'reports.read',
  // The recommendations register page (its CSV and XLSX are GET /reports/register).
  'GET /register': 'reports.read',

  'GET /cases': 'review.list',
  'GET /cases/new': 'review.create',
  'POST /cases': 'review.create',
  [`GET ${C}`]: 'review.read',
  [`POST ${C}/events`]: 'review.event',
  // A date put right on the record (ReviewCorrections), as POST /reviews/:id/corrections.
  [`GET ${C}/corrections`]: 'review.correct',
  [`POST ${C}/corrections`]: 'review.correct',

  // The review team: members (ReviewMembersService), appointments and the panel.
  [`GET ${C}/team`]: 'members.read',
  [`GET ${C}/team/members/new`]: 'members.manage',
  [`POST ${C}/team/members`]: 'members.manage',
  [`POST ${C}/team/members/:memberId/resend`]: 'members.manage',
  [`GET ${C}/team/members/:memberId/end`]: 'members.manage',
  [`POST ${C}/team/members/:memberId/end`]: 'members.manage',
  [`GET ${C}/team/appointments/new`]: 'appointments.write',
  [`POST ${C}/team/appointments`]: 'appointments.write',
  [`GET ${C}/team/panel-members/new`]: 'panel.write',
  [`POST ${C}/team/panel-members`]: 'panel.write',

  // People: real names (?include=realNames) are checked by the page as by the API (people.realNames).
  [`GET ${C}/people`]: 'people.read',
  [`GET ${C}/people/new`]: 'people.write',
  [`POST ${C}/people`]: 'people.write',

  [`GET ${C}/imrs`]: 'imrs.read',
  [`GET ${C}/imrs/new`]: 'imrs.write',
  [`POST ${C}/imrs`]: 'imrs.write',
  [`GET ${C}/imrs/:imrId/receipt`]: 'imrs.write',
  [`POST ${C}/imrs/:imrId/receipt`]: 'imrs.write',
  [`GET ${C}/imrs/:imrId/extensions`]: 'imrs.write',
  [`POST ${C}/imrs/:imrId/extensions`]: 'imrs.write',
  [`GET ${C}/imrs/:imrId/quality-check`]: 'imrs.write',
  [`POST ${C}/imrs/:imrId/quality-check`]: 'imrs.write',
  [`GET ${C}/imrs/:imrId/sign-off`]: 'imrs.signOff',
  [`POST ${C}/imrs/:imrId/sign-off`]: 'imrs.signOff',
  [`GET ${C}/imrs/:imrId/waiver`]: 'imrs.write',
  [`POST ${C}/imrs/:imrId/waiver`]: 'imrs.write',
  [`GET ${C}/imrs/:imrId/submit`]: 'imrs.submit',
  [`POST ${C}/imrs/:imrId/submit`]: 'imrs.submit',
  [`GET ${C}/imrs/:imrId/confirm`]: 'imrs.write',
  [`POST ${C}/imrs/:imrId/confirm`]: 'imrs.write',
  [`POST ${C}/imrs/:imrId/send-back`]: 'imrs.write',

  [`GET ${C}/recommendations`]: 'recommendations.read',
  [`GET ${C}/recommendations/new`]: 'recommendations.write',
  [`POST ${C}/recommendations`]: 'recommendations.write',
  [`POST ${C}/recommendations/:recommendationId/agree`]: 'recommendations.write',
  [`GET ${C}/recommendations/:recommendationId/correct`]: 'recommendations.write',
  [`POST ${C}/recommendations/:recommendationId/correct`]: 'recommendations.write',
  [`GET ${C}/recommendations/:recommendationId/withdraw`]: 'recommendations.write',
  [`POST ${C}/recommendations/:recommendationId/withdraw`]: 'recommendations.write',
  [`GET ${C}/action-plan`]: 'actions.read',
  [`GET ${C}/recommendations/:recommendationId/actions/new`]: 'actions.write',
  [`POST ${C}/recommendations/:recommendationId/actions`]: 'actions.write',
  [`GET ${C}/recommendations/:recommendationId/actions/:actionId/progress`]: 'actions.write',
  [`POST ${C}/recommendations/:recommendationId/actions/:actionId/progress`]: 'actions.write',
  [`GET ${C}/recommendations/:recommendationId/actions/:actionId/complete`]: 'actions.write',
  [`POST ${C}/recommendations/:recommendationId/actions/:actionId/complete`]: 'actions.write',

  [`GET ${C}/sign-off`]: 'documents.read',
  [`POST ${C}/sign-off`]: 'review.event',
  [`GET ${C}/sign-off/returned`]: 'oversight.read',

  [`GET ${C}/meetings`]: 'meetings.read',
  [`GET ${C}/meetings/new`]: 'meetings.write',
  [`POST ${C}/meetings`]: 'meetings.write',
  [`GET ${C}/meetings/:meetingId/invitation`]: 'meetings.read',
  [`GET ${C}/meetings/:meetingId/reschedule`]: 'meetings.write',
  [`POST ${C}/meetings/:meetingId/reschedule`]: 'meetings.write',
  [`GET ${C}/meetings/:meetingId/attendance`]: 'meetings.write',
  [`POST ${C}/meetings/:meetingId/attendance`]: 'meetings.write',
  [`GET ${C}/meetings/:meetingId/held`]: 'meetings.write',
  [`POST ${C}/meetings/:meetingId/held`]: 'meetings.write',
  [`GET ${C}/meetings/:meetingId/cancel`]: 'meetings.write',
  [`POST ${C}/meetings/:meetingId/cancel`]: 'meetings.write',

  // Documents: uploads are multipart, with the CSRF token in the form's action (?_csrf=).
  [`GET ${C}/documents`]: 'documents.read',
  [`GET ${C}/documents/new`]: 'documents.write',
  [`POST ${C}/documents`]: 'documents.write',
  [`GET ${C}/documents/:documentId/versions`]: 'documents.write',
  [`POST ${C}/documents/:documentId/versions`]: 'documents.write',

  [`GET ${C}/family`]: 'family.read',
  [`GET ${C}/family/new`]: 'family.write',
  [`POST ${C}/family`]: 'family.write',

  // Scoping (the agencies' responses, their records secured) and parallel proceedings: the
  // actions of their API routes (/reviews/:reviewId/scoping-responses, records-secured, proceedings).
  [`GET ${C}/scoping`]: 'scoping.read',
  [`GET ${C}/scoping/responses/new`]: 'scoping.write',
  [`POST ${C}/scoping/responses`]: 'scoping.write',
  [`GET ${C}/scoping/responses/:responseId/correct`]: 'scoping.write',
  [`POST ${C}/scoping/responses/:responseId/correct`]: 'scoping.write',
  [`GET ${C}/scoping/records-secured/new`]: 'scoping.write',
  [`POST ${C}/scoping/records-secured`]: 'scoping.write',
  [`GET ${C}/proceedings`]: 'proceedings.read',
  [`GET ${C}/proceedings/new`]: 'proceedings.write',
  [`POST ${C}/proceedings`]: 'proceedings.write',
  [`GET ${C}/proceedings/:proceedingId/correct`]: 'proceedings.write',
  [`POST ${C}/proceedings/:proceedingId/correct`]: 'proceedings.write',
  [`GET ${C}/proceedings/:proceedingId/status`]: 'proceedings.write',
  [`POST ${C}/proceedings/:proceedingId/status`]: 'proceedings.write',

  // Home Office QA rounds; its event forms post to the review's events route (review.event).
  [`GET ${C}/qa`]: 'oversight.read',
  // The checklist before submission (src/reports/home-office); its pack is GET /reviews/:id/home-office-pack.
  [`GET ${C}/qa/checklist`]: 'homeOfficePack.read',
  [`POST ${C}/qa/checklist`]: 'homeOfficeChecklist.write',
  [`GET ${C}/qa/:round/letter`]: 'qaRounds.write',
  [`POST ${C}/qa/:round/letter`]: 'qaRounds.write',
  [`GET ${C}/qa/:round/changes`]: 'qaRounds.write',
  [`POST ${C}/qa/:round/changes`]: 'qaRounds.write',
  [`GET ${C}/qa/:round/changes/:changeId/done`]: 'qaRounds.write',
  [`POST ${C}/qa/:round/changes/:changeId/done`]: 'qaRounds.write',

  [`GET ${C}/publication`]: 'publication.read',
  [`GET ${C}/publication/record`]: 'publication.write',
  [`POST ${C}/publication/record`]: 'publication.write',
  [`GET ${C}/publication/anonymisation-confirmation`]: 'publication.write',
  [`POST ${C}/publication/anonymisation-confirmation`]: 'publication.write',
  // Coding the review with the taxonomy (src/reports/register).
  [`GET ${C}/coding`]: 'coding.write',
  [`POST ${C}/coding`]: 'coding.write',

  // Administration: users and their CSP roles, CSPs, agencies (no case content).
  'GET /admin': 'users.manage',
  'GET /admin/users': 'users.manage',
  'GET /admin/users/new': 'users.manage',
  'POST /admin/users': 'users.manage',
  'GET /admin/users/:userId/roles': 'users.manage',
  'POST /admin/users/:userId/roles': 'users.manage',
  'GET /admin/users/:userId': 'users.manage',
  'GET /admin/users/:userId/roles/:grantId/revoke': 'users.manage',
  'POST /admin/users/:userId/roles/:grantId/revoke': 'users.manage',
  'GET /admin/users/:userId/disable': 'users.manage',
  'POST /admin/users/:userId/disable': 'users.manage',
  'GET /admin/csps': 'csps.manage',
  'GET /admin/csps/new': 'csps.manage',
  'POST /admin/csps': 'csps.manage',
  'GET /admin/agencies': 'agencies.manage',
  'GET /admin/agencies/new': 'agencies.manage',
  'POST /admin/agencies': 'agencies.manage',
};
