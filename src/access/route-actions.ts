import { WEB_ROUTE_ACTIONS } from '../web/web-route-actions';
import type { Action } from './actions';

const R = '/reviews/:reviewId';

/**
 * Every API route and the action it takes, keyed `METHOD /path` exactly as Express registers
 * it. The guard refuses a route missing here (a test lists every registered route and checks
 * it is mapped); the policy table (policy.ts) says who may take each action.
 */
export const API_ROUTE_ACTIONS: Readonly<Record<string, Action>> = {
  'GET /health': 'public',
  'GET /health/ready': 'public',
  'GET /health/reminders': 'public',

  'POST /auth/sessions': 'public',
  'GET /auth/session': 'self',
  // Public so that a cookie whose session is already over is still cleared.
  'DELETE /auth/sessions/current': 'public',
  'POST /auth/sign-out': 'public',
  'GET /auth/oidc/start': 'public',
  'GET /auth/oidc/callback': 'public',

  'POST /me/tokens': 'self',
  'GET /me/tokens': 'self',
  'POST /me/tokens/:tokenId/revoke': 'self',
  // The caller's own tasks, on the reviews the policy lets them see (src/work/tasks.service.ts).
  'GET /me/tasks': 'self',
  'GET /notification-preferences/:email': 'self',
  'PUT /notification-preferences/:email': 'self',

  'GET /users': 'users.manage',
  'POST /users': 'users.manage',
  'POST /users/:userId/roles': 'users.manage',
  'POST /users/:userId/roles/:grantId/revoke': 'users.manage',
  'GET /users/:userId/role-changes': 'users.manage',
  'POST /users/:userId/disable': 'users.manage',
  // Refusals naming no review (failed sign-ins among them): no case content.
  'GET /access-log/refusals': 'users.manage',

  'POST /csps': 'csps.manage',
  'GET /csps': 'csps.read',
  'POST /agencies': 'agencies.manage',
  'GET /agencies': 'agencies.read',
  'GET /deadlines': 'deadlines.list',
  // The committee progress report over the caller's CSPs' reviews (src/reports), JSON, DOCX or PDF.
  'GET /reports/committee': 'reports.read',
  // Oversight figures over the caller's CSPs' reviews (src/reports/oversight), JSON, CSV or XLSX.
  'GET /reports/oversight': 'reports.read',
  // The recommendations register across the caller's CSPs' reviews (src/reports/register), JSON, CSV or XLSX.
  'GET /reports/register': 'reports.read',

  'POST /reviews': 'review.create',
  'POST /imports': 'review.import',
  'GET /reviews': 'review.list',
  'GET /reviews/:id': 'review.read',
  'POST /reviews/:id/events': 'review.event',
  'POST /reviews/:id/corrections': 'review.correct',
  'POST /reviews/:id/transfer': 'review.transfer',
  'GET /reviews/:id/history': 'review.read',
  'GET /reviews/:id/diagram': 'review.read',
  // The board paper (src/reports/board-paper), JSON, DOCX or PDF.
  'GET /reviews/:id/board-paper': 'boardPaper.read',

  [`GET ${R}/members`]: 'members.read',
  [`POST ${R}/members`]: 'members.manage',
  [`POST ${R}/members/:memberId/end`]: 'members.manage',
  [`POST ${R}/members/:memberId/resend-invitation`]: 'members.manage',

  [`POST ${R}/people`]: 'people.write',
  [`GET ${R}/people`]: 'people.read',
  [`GET ${R}/people/:personId`]: 'people.read',
  [`PATCH ${R}/people/:personId`]: 'people.write',

  [`POST ${R}/appointments`]: 'appointments.write',
  [`GET ${R}/appointments`]: 'appointments.read',
  [`GET ${R}/appointments/:appointmentId`]: 'appointments.read',
  [`POST ${R}/appointments/:appointmentId/independence-declaration`]: 'appointments.write',
  [`POST ${R}/appointments/:appointmentId/end`]: 'appointments.write',

  [`POST ${R}/panel-members`]: 'panel.write',
  [`GET ${R}/panel-members`]: 'panel.read',
  [`GET ${R}/panel-members/:memberId`]: 'panel.read',
  [`POST ${R}/panel-members/:memberId/leave`]: 'panel.write',

  [`POST ${R}/scoping-responses`]: 'scoping.write',
  [`GET ${R}/scoping-responses`]: 'scoping.read',
  [`GET ${R}/scoping-responses/:responseId`]: 'scoping.read',
  [`PATCH ${R}/scoping-responses/:responseId`]: 'scoping.write',
  [`POST ${R}/records-secured`]: 'scoping.write',
  [`GET ${R}/records-secured`]: 'scoping.read',
  [`GET ${R}/records-secured/:confirmationId`]: 'scoping.read',

  [`POST ${R}/imrs`]: 'imrs.write',
  [`POST ${R}/imrs/commissions`]: 'imrs.write',
  [`GET ${R}/imrs`]: 'imrs.read',
  [`GET ${R}/imrs/:imrId`]: 'imrs.read',
  [`POST ${R}/imrs/:imrId/extensions`]: 'imrs.write',
  [`POST ${R}/imrs/:imrId/receipt`]: 'imrs.write',
  [`POST ${R}/imrs/:imrId/quality-check`]: 'imrs.write',
  [`POST ${R}/imrs/:imrId/sign-off`]: 'imrs.signOff',
  [`POST ${R}/imrs/:imrId/waiver`]: 'imrs.write',
  [`POST ${R}/imrs/:imrId/submissions`]: 'imrs.submit',
  [`GET ${R}/imrs/:imrId/submissions`]: 'imrs.read',
  [`POST ${R}/imrs/:imrId/submissions/confirmation`]: 'imrs.write',
  [`POST ${R}/imrs/:imrId/submissions/return`]: 'imrs.write',

  [`POST ${R}/documents`]: 'documents.write',
  [`GET ${R}/documents`]: 'documents.read',
  [`GET ${R}/documents/:documentId`]: 'documents.read',
  [`POST ${R}/documents/:documentId/versions`]: 'documents.write',
  [`GET ${R}/documents/:documentId/versions/:versionNo/content`]: 'documents.read',
  [`GET ${R}/documents/:documentId/downloads`]: 'accessLog.read',

  [`POST ${R}/meetings`]: 'meetings.write',
  [`GET ${R}/meetings`]: 'meetings.read',
  [`GET ${R}/meetings/:meetingId`]: 'meetings.read',
  [`PATCH ${R}/meetings/:meetingId`]: 'meetings.write',
  [`POST ${R}/meetings/:meetingId/held`]: 'meetings.write',
  [`POST ${R}/meetings/:meetingId/cancel`]: 'meetings.write',

  [`POST ${R}/family-engagements`]: 'family.write',
  [`GET ${R}/family-engagements`]: 'family.read',
  [`GET ${R}/family-engagements/:engagementId`]: 'family.read',

  [`POST ${R}/proceedings`]: 'proceedings.write',
  [`GET ${R}/proceedings`]: 'proceedings.read',
  [`GET ${R}/proceedings/:proceedingId`]: 'proceedings.read',
  [`PATCH ${R}/proceedings/:proceedingId`]: 'proceedings.write',
  [`POST ${R}/proceedings/:proceedingId/status`]: 'proceedings.write',

  [`POST ${R}/recommendations`]: 'recommendations.write',
  [`GET ${R}/recommendations`]: 'recommendations.read',
  [`GET ${R}/recommendations/:recommendationId`]: 'recommendations.read',
  [`PATCH ${R}/recommendations/:recommendationId`]: 'recommendations.write',
  [`POST ${R}/recommendations/:recommendationId/agree`]: 'recommendations.write',
  [`POST ${R}/recommendations/:recommendationId/withdraw`]: 'recommendations.write',
  [`PUT ${R}/no-recommendations-reason`]: 'recommendations.write',

  [`GET ${R}/action-plan`]: 'actions.read',
  [`POST ${R}/recommendations/:recommendationId/actions`]: 'actions.write',
  [`GET ${R}/recommendations/:recommendationId/actions/:actionId`]: 'actions.read',
  [`PATCH ${R}/recommendations/:recommendationId/actions/:actionId`]: 'actions.write',
  [`POST ${R}/recommendations/:recommendationId/actions/:actionId/complete`]: 'actions.write',

  [`GET ${R}/publication`]: 'publication.read',
  [`PUT ${R}/publication`]: 'publication.write',
  [`POST ${R}/publication/anonymisation-confirmation`]: 'publication.write',
  [`GET ${R}/coding`]: 'review.read',
  [`PUT ${R}/coding`]: 'coding.write',

  [`GET ${R}/rag-decisions`]: 'oversight.read',
  [`GET ${R}/qa-rounds`]: 'oversight.read',
  [`POST ${R}/qa-rounds/:round/letter`]: 'qaRounds.write',
  [`POST ${R}/qa-rounds/:round/changes`]: 'qaRounds.write',
  [`POST ${R}/qa-rounds/:round/changes/:changeId/done`]: 'qaRounds.write',
  // The Home Office submission pack, the packs sent and the checklist (src/reports/home-office).
  [`GET ${R}/home-office-pack`]: 'homeOfficePack.read',
  [`GET ${R}/home-office-packs`]: 'homeOfficePack.read',
  [`GET ${R}/home-office-packs/:round`]: 'homeOfficePack.read',
  [`GET ${R}/home-office-checklist`]: 'homeOfficePack.read',
  [`PUT ${R}/home-office-checklist`]: 'homeOfficeChecklist.write',
  [`GET ${R}/access-log`]: 'accessLog.read',
  [`GET ${R}/notifications`]: 'notifications.read',
};

/** API and web pages together: the table the guard reads. */
export const ROUTE_ACTIONS: Readonly<Record<string, Action>> = { ...API_ROUTE_ACTIONS, ...WEB_ROUTE_ACTIONS };
