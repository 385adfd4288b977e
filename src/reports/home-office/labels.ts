import type { RecommendationScope } from '../../casefile/entities';

/** The Home Office action plan's scope of a recommendation, in words. */
export const RECOMMENDATION_SCOPE_LABELS: Readonly<Record<RecommendationScope, string>> = {
  local: 'Local',
  regional: 'Regional',
  national: 'National',
};
