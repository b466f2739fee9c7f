import { App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { FunctionNamespace, WasmFunction, WasmRuntime } from '../lib';
import { CATALOG, CatalogEntry } from './catalog';

/** Namespaces of the reference platform. */
export const NAMESPACES = {
  catalog: 'functions-catalog',
  orders: 'functions-orders',
  gateway: 'gateway',
  monitoring: 'monitoring',
} as const;

/** Handles on what {@link buildReferencePlatform} created, for tests and later charts. */
export interface ReferencePlatform {
  readonly app: App;
  readonly base: Chart;
  readonly functionCharts: Readonly<Record<CatalogEntry['domain'], Chart>>;
  readonly functions: Readonly<Record<string, WasmFunction>>;
}

/**
 * The reference e-commerce platform. `main.ts` and the tests both build it through this
 * function, so what is tested is what ships.
 */
export function buildReferencePlatform(app: App): ReferencePlatform {
  const base = new Chart(app, 'PlatformBase');
  new FunctionNamespace(base, 'CatalogNamespace', { name: NAMESPACES.catalog, labels: { 'platform.wasm.dev/team': 'catalog' } });
  new FunctionNamespace(base, 'OrdersNamespace', { name: NAMESPACES.orders, labels: { 'platform.wasm.dev/team': 'orders' } });

  const functionCharts = {
    catalog: new Chart(app, 'CatalogFunctions', { namespace: NAMESPACES.catalog }),
    orders: new Chart(app, 'OrdersFunctions', { namespace: NAMESPACES.orders }),
  };
  const functions: Record<string, WasmFunction> = {};
  for (const entry of CATALOG) {
    functions[entry.name] = addFunction(functionCharts[entry.domain], entry);
  }
  return { app, base, functionCharts, functions };
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
    ingressFromNamespaces: [NAMESPACES.gateway, NAMESPACES.monitoring],
  });
}

function pascalCase(name: string): string {
  return name.split('-').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}
