import { Engine } from '../support/context';
import { alloyEngine } from './alloy';
import { envoyGatewayEngine } from './envoy-gateway';
import { GATOR_ENGINE } from './gator';
import { kubeApiserver } from './kube-apiserver';
import { netpolEngine } from './netpol';
import { OPA_ENGINE } from './opa';
import { promtoolEngine } from './promtool';

/** Every engine of `npm run conformance`, in the order they run. */
export const ENGINES: readonly Engine[] = [
  kubeApiserver,
  OPA_ENGINE,
  GATOR_ENGINE,
  promtoolEngine,
  alloyEngine,
  envoyGatewayEngine,
  netpolEngine,
];
