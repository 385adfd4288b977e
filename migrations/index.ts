import { Foundation1763800000000 } from './1763800000000-Foundation';

/** Every migration in order; the data source reads this list rather than a file glob. */
export const MIGRATIONS = [Foundation1763800000000];
