import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { FunctionNamespace, WasmFunction, WasmRuntime } from '../lib';
import { CATALOG, CatalogEntry } from './catalog';
import { NAMESPACES } from './namespaces';

/** The platform's foundation: namespaces, runtime and functions. Every section builds on it. */
export interface PlatformCore {
  readonly app: App;
  /** Cluster-scoped objects and namespaces (no chart namespace). */
  readonly base: Chart;
  /** One chart per functions namespace. */
  readonly functionCharts: Readonly<Record<CatalogEntry['domain'], Chart>>;
  /** Every function, by name. */
  readonly functions: Readonly<Record<string, WasmFunction>>;
  /**
   * Canary deployments beside a stable function, by the stable's name. They are scaled,
   * monitored and routed like any function; the gateway splits traffic between the two.
   */
  readonly canaries: Readonly<Record<string, WasmFunction>>;
}

/** Functions that run a canary beside the stable: the gateway sends it 10 % of the traffic. */
export const CANARY_OF: readonly string[] = ['price'];

export function buildCore(app: App): PlatformCore {
  const base = new Chart(app, 'PlatformBase');
  new FunctionNamespace(base, 'CatalogNamespace', { name: NAMESPACES.catalog, labels: { 'platform.wasm.dev/team': 'catalog' } });
  new FunctionNamespace(base, 'OrdersNamespace', { name: NAMESPACES.orders, labels: { 'platform.wasm.dev/team': 'orders' } });

  const functionCharts = {
    catalog: new Chart(app, 'CatalogFunctions', { namespace: NAMESPACES.catalog }),
    orders: new Chart(app, 'OrdersFunctions', { namespace: NAMESPACES.orders }),
  };
  const functions: Record<string, WasmFunction> = {};
  const canaries: Record<string, WasmFunction> = {};
  for (const entry of CATALOG) {
    functions[entry.name] = addFunction(functionCharts[entry.domain], entry);
    if (CANARY_OF.includes(entry.name)) {
      // The canary ships the next build; until the pipeline publishes one it runs the
      // stable's image, so the split itself can be rolled out and observed.
      canaries[entry.name] = addFunction(functionCharts[entry.domain], { ...entry, name: `${entry.name}-canary` });
    }
  }
  // After every function exists: a call may cross namespaces (and teams) in either order.
  for (const entry of CATALOG) {
    for (const callee of entry.calls ?? []) {
      const target = functions[callee];
      if (!target) throw new Error(`catalog entry "${entry.name}" calls "${callee}", which is not in the catalog`);
      functions[entry.name].allowCallsTo(target);
    }
  }
  return { app, base, functionCharts, functions, canaries };
}

function addFunction(scope: Construct, entry: CatalogEntry): WasmFunction {
  return new WasmFunction(scope, pascalCase(entry.name), {
    name: entry.name,
    image: entry.image,
    version: entry.version,
    runtime: WasmRuntime.K3S_WASMEDGE,
    resources: entry.resources,
    config: entry.config,
    env: entry.env,
    partOf: 'ecommerce-platform',
    egress: entry.egress ? [...entry.egress] : undefined,
  });
}

/** `flash-sale` -> `FlashSale`, for construct ids. */
export function pascalCase(name: string): string {
  return name.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}
