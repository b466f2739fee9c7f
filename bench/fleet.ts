import { App, Chart } from 'cdk8s';
import { FunctionNamespace, WasmFunction } from '../lib';

/** Namespaces the generated fleet spreads its functions over. */
export const FLEET_NAMESPACES = 10;

/**
 * A generated platform of `count` functions, each with the full stack the library gives a
 * function, for the benchmark. Function i gets a deterministic digest and name.
 */
export function buildFleet(app: App, count: number): void {
  const base = new Chart(app, 'FleetBase');
  const charts: Chart[] = [];
  for (let n = 0; n < FLEET_NAMESPACES; n++) {
    const namespace = `fleet-${n}`;
    new FunctionNamespace(base, `Namespace${n}`, { name: namespace });
    charts.push(new Chart(app, `Fleet${n}`, { namespace }));
  }
  for (let i = 0; i < count; i++) {
    const chart = charts[i % FLEET_NAMESPACES];
    const name = `fn-${i}`;
    new WasmFunction(chart, `Fn${i}`, {
      name,
      image: `registry.example.com/fleet/${name}@sha256:${digest(i)}`,
      config: { FUNCTION_INDEX: String(i) },
    });
  }
}

function digest(i: number): string {
  return i.toString(16).padStart(64, '0');
}
