import { Engine } from '../support/context';
import { alloyEngine } from './alloy';
import { promtoolEngine } from './promtool';

/** Every engine of `npm run conformance`, in the order they run. */
export const ENGINES: readonly Engine[] = [
  promtoolEngine,
  alloyEngine,
];
