import type { IConstruct } from 'constructs';
import { GatewayCapacity, gatewayCapacitySources } from '../core/gateway-capacity';
import { constructsOf } from '../synth/synth-session';
import { fmt } from './capacity-plan';

/** The gateways under `root`, as the capacity report shows them. */
export function gatewayCapacities(root: IConstruct): GatewayCapacity[] {
  return gatewayCapacitySources(constructsOf(root)).map((g) => g.gatewayCapacity());
}

/**
 * The capacity report's gateway section: per gateway its proxy replicas, and per route its
 * rate limit, what it admits in all with those replicas and the function's planned peak.
 * Empty without gateways.
 */
export function renderGatewayCapacity(gateways: readonly GatewayCapacity[]): string {
  if (gateways.length === 0) return '';
  const lines: string[] = ['', '## Gateways', ''];
  for (const g of [...gateways].sort((a, b) => a.gateway.localeCompare(b.gateway))) {
    lines.push(`Gateway \`${g.gateway}\` (${g.provider}): ${g.proxyReplicas} proxy replica${g.proxyReplicas === 1 ? '' : 's'}.`, '');
    lines.push('| route | function | rate limit | admits in all, req/s | planned peak req/s | against the plan |');
    lines.push('|---|---|---|---|---|---|');
    for (const r of [...g.routes].sort((a, b) => a.route.localeCompare(b.route))) {
      const ceiling = r.ceilingPerSecond;
      const peak = r.plannedPeakRequestsPerSecond;
      const verdict = ceiling === undefined || peak === undefined ? '-'
        : ceiling >= peak ? `${fmt(ceiling / peak)}× the peak`
          : r.shedsAbovePlan ? 'sheds above the limit (intended)' : 'below the peak';
      lines.push(`| ${r.route} | ${r.functionName} | ${r.limit ?? 'none'} | ${ceiling === undefined ? '-' : fmt(ceiling)} | ${peak === undefined ? '-' : fmt(peak)} | ${verdict} |`);
    }
    lines.push('');
  }
  lines.push('"admits in all": a per-proxy-replica limit times the proxy replicas (each replica keeps its own bucket), a route-wide limit as it is; per-client and per-header limits bound each client, not the route. A route below its function\'s planned peak is a synth error unless it sets `shedsAbovePlan`.');
  return `${lines.join('\n')}\n`;
}
