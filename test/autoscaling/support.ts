import { App, Chart } from 'cdk8s';
import { WasmFunction, WasmFunctionProps } from '../../lib';
import { formatViolations, kubeValidator } from '../support/kube-schema';
import { KubeObject, testApp } from '../support/synth';

const DIGEST = 'sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc';
export const IMAGE = `registry.shop.example.com/functions/price@${DIGEST}`;

/** An app with one chart in `functions-orders` and one function in it. */
export function functionChart(props: Partial<WasmFunctionProps> = {}): { app: App; chart: Chart; fn: WasmFunction } {
  const app = testApp();
  const chart = new Chart(app, 'Orders', { namespace: 'functions-orders' });
  const fn = new WasmFunction(chart, 'Checkout', { name: 'checkout', image: IMAGE, ...props });
  return { app, chart, fn };
}

/** Adds another function to `chart`. */
export function addFunction(chart: Chart, name: string, props: Partial<WasmFunctionProps> = {}): WasmFunction {
  return new WasmFunction(chart, name, { name, image: IMAGE, ...props });
}

/** Strict-schema violations of every object, formatted; '' when all are valid. */
export function schemaReport(objects: readonly KubeObject[]): string {
  const validator = kubeValidator();
  return objects.map((o) => formatViolations(o, validator.validate(o))).filter((t) => t !== '').join('\n');
}

/** Problems whose message contains `text`. */
export function matching(problems: readonly string[], text: string): string[] {
  return problems.filter((p) => p.includes(text));
}

/** The `spec` of a synthesized object. */
export function specOf(obj: KubeObject): Record<string, unknown> {
  return obj.spec as Record<string, unknown>;
}
