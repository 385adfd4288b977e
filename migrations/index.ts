import { Foundation1763800000000 } from './1763800000000-Foundation';
import { Reviews1763850000000 } from './1763850000000-Reviews';
import { CaseFile1763900000000 } from './1763900000000-CaseFile';

/** Every migration in order; the data source reads this list rather than a file glob. */
export const MIGRATIONS = [Foundation1763800000000, Reviews1763850000000, CaseFile1763900000000];
