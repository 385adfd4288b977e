import { Injectable, NotFoundException } from '@nestjs/common';
import { z } from 'zod';
import { CaseFileTransactions, checkIfMatch } from '../../casefile/casefile-transactions';
import { namesAVersion } from '../../infrastructure/http/if-match';
import { ReviewCoding, type ReviewCodes } from './review-coding.entity';
import { currentTaxonomy, taxonomyVersions, type Taxonomy } from './taxonomy';

const WHAT: Record<keyof ReviewCodes, { list: keyof Pick<Taxonomy, 'relationshipCategories' | 'vulnerabilities' | 'themes' | 'familyInvolvement'>; name: string }> = {
  relationshipCategory: { list: 'relationshipCategories', name: 'relationship category' },
  vulnerabilities: { list: 'vulnerabilities', name: 'vulnerability' },
  themes: { list: 'themes', name: 'theme' },
  familyInvolvement: { list: 'familyInvolvement', name: 'family involvement flag' },
};

/** The body of PUT /reviews/:reviewId/coding: codes of the current taxonomy (400 naming the field for an unknown one). */
export function codingSchema() {
  const codes = z.array(z.string({ invalid_type_error: 'must be a code' }).max(60, 'must be at most 60 characters')).max(60, 'may hold at most 60 codes');
  return z
    .object({
      relationshipCategory: z.string({ invalid_type_error: 'must be a code or null' }).max(60, 'must be at most 60 characters').nullable(),
      vulnerabilities: codes,
      themes: codes,
      familyInvolvement: codes,
    })
    .strict()
    .superRefine((value, ctx) => {
      const taxonomy = currentTaxonomy();
      for (const field of Object.keys(WHAT) as Array<keyof ReviewCodes>) {
        const { list, name } = WHAT[field];
        const known = new Set(taxonomy[list].map((e) => e.code));
        const given = value[field];
        const each = Array.isArray(given) ? given.map((code, i) => [code, [field, i]] as const) : given === null ? [] : [[given, [field]] as const];
        for (const [code, path] of each) {
          if (!known.has(code)) ctx.addIssue({ code: 'custom', path: [...path], message: `is not a ${name} of taxonomy version ${taxonomy.version}: ${code}` });
        }
        if (Array.isArray(given) && new Set(given).size !== given.length) ctx.addIssue({ code: 'custom', path: [field], message: 'lists a code twice' });
      }
    });
}

/**
 * A review coded with the taxonomy, by the CSP lead or the chair: the codes with the version of
 * the taxonomy they come from, each with its label; every change in the review's history.
 * The first coding needs no If-Match; a later one the version read (412 if it changed since).
 */
@Injectable()
export class ReviewCodingService {
  constructor(private readonly tx: CaseFileTransactions) {}

  get(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const coding = await manager.findOne(ReviewCoding, { where: { reviewId } });
      if (!coding) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'This review has not been coded yet' });
      return view(coding);
    });
  }

  put(reviewId: string, codes: ReviewCodes, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record, now }) => {
      const existing = await manager.findOne(ReviewCoding, { where: { reviewId }, lock: { mode: 'pessimistic_write' } });
      if (existing) checkIfMatch(ifMatch, existing.version);
      else if (namesAVersion(ifMatch)) checkIfMatch(ifMatch, 0);
      const version = currentTaxonomy().version;
      if (existing && existing.taxonomyVersion === version && JSON.stringify(existing.codes) === JSON.stringify(codes)) return view(existing);
      const previous = existing ? { taxonomyVersion: existing.taxonomyVersion, codes: existing.codes } : null;
      const saved = existing
        ? await manager.save(Object.assign(existing, { codes, taxonomyVersion: version, updatedBy: actor, updatedAt: now }))
        : await manager.save(manager.create(ReviewCoding, { reviewId, codes, taxonomyVersion: version, createdBy: actor, updatedBy: actor, updatedAt: now }));
      await record('REVIEW_CODED', { taxonomyVersion: version, codes, ...(previous ? { previous } : {}) });
      return view(saved);
    });
  }
}

function view(coding: ReviewCoding) {
  const taxonomy = taxonomyVersions().get(coding.taxonomyVersion) ?? currentTaxonomy();
  const label = (field: keyof ReviewCodes, code: string) => ({ code, label: taxonomy[WHAT[field].list].find((e) => e.code === code)?.label ?? code });
  return {
    reviewId: coding.reviewId,
    taxonomyVersion: coding.taxonomyVersion,
    ...coding.codes,
    labels: {
      relationshipCategory: coding.codes.relationshipCategory ? label('relationshipCategory', coding.codes.relationshipCategory) : null,
      vulnerabilities: coding.codes.vulnerabilities.map((c) => label('vulnerabilities', c)),
      themes: coding.codes.themes.map((c) => label('themes', c)),
      familyInvolvement: coding.codes.familyInvolvement.map((c) => label('familyInvolvement', c)),
    },
    version: coding.version,
    updatedBy: coding.updatedBy,
    updatedAt: coding.updatedAt,
  };
}
