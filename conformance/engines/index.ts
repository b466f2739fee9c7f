import { Engine } from '../support/context';

/** Every engine of `npm run conformance`, in the order they run. */
export const ENGINES: readonly Engine[] = [];
