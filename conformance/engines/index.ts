import { Engine } from '../support/context';
import { kubeApiserver } from './kube-apiserver';

/** Every engine of `npm run conformance`, in the order they run. */
export const ENGINES: readonly Engine[] = [kubeApiserver];
