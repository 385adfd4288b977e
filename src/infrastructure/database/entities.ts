import { Csp } from '../../csps/csp.entity';

/** Every entity, listed once: the data source and the drift test both read this list. */
export const ENTITIES = [Csp];
