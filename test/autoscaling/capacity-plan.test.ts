import { checkPlan, checkPlanInputs, evaluatePlan } from '../../lib';

describe('capacity plan arithmetic (hand-computed)', () => {
  const range = { minReplicas: 10, maxReplicas: 1200, metricsLagSeconds: 45 };

  test('replicas at peak = ceil(peak / (perPod × target utilization)), without floating-point noise', () => {
    // 70000 / (100 × 0.7) = 1000 exactly: a naive ceil gives 1001.
    const e = evaluatePlan({ peakRequestsPerSecond: 70000, requestsPerPodPerSecond: 100, targetUtilizationPercent: 70 }, range);
    expect(e.targetRequestsPerPod).toBeCloseTo(70, 9);
    expect(e.replicasAtPeak).toBe(1000);
    expect(e.requestsPerSecondAtMax).toBeCloseTo(84000, 6);
    expect(e.floorRequestsPerSecond).toBe(1000);
  });

  test('the target utilization comes from the request-rate trigger when not declared', () => {
    // 30000 / 175 = 171.43 -> 172
    const e = evaluatePlan({ peakRequestsPerSecond: 30000, requestsPerPodPerSecond: 250 }, { ...range, triggerRequestsPerPod: 175 });
    expect(e.targetUtilization).toBe(0.7);
    expect(e.replicasAtPeak).toBe(172);
  });

  test('70 % when neither the plan nor the trigger says', () => {
    const e = evaluatePlan({ peakRequestsPerSecond: 14000, requestsPerPodPerSecond: 200 }, range);
    expect(e.targetRequestsPerPod).toBeCloseTo(140, 9);
    expect(e.replicasAtPeak).toBe(100);
  });

  test('reaction time = 15 s sync + metrics lag + pod start; burst headroom = floor - burst', () => {
    const e = evaluatePlan({ peakRequestsPerSecond: 70000, requestsPerPodPerSecond: 100, burstRequestsPerSecond: 1500 }, range);
    expect(e.reaction).toEqual({ syncSeconds: 15, metricsLagSeconds: 45, podStartSeconds: 2, totalSeconds: 62 });
    expect(e.burstHeadroomRequestsPerSecond).toBe(-500);
    expect(e.minReplicasForBurst).toBe(15);
  });

  test('a peak the range cannot carry, and a burst the floor cannot absorb, are reported with the numbers', () => {
    // GIVEN
    const e = evaluatePlan(
      { peakRequestsPerSecond: 70000, requestsPerPodPerSecond: 100, targetUtilizationPercent: 70, burstRequestsPerSecond: 1500 },
      { ...range, maxReplicas: 900 },
    );

    // WHEN
    const problems = checkPlan('capacity', e, 10, 900);

    // THEN
    expect(problems).toEqual([
      'capacity.peakRequestsPerSecond (70000) needs 1000 replicas at 70 requests/s per pod (100 × 70 % target utilization), above maxReplicas (900): raise maxReplicas to at least 1000, or make each pod serve more',
      'capacity.burstRequestsPerSecond (1500) exceeds what minReplicas (10) × 100 requests/s per pod = 1000 requests/s absorb during one reaction time of 62 s (15 s HPA sync + 45 s metrics lag + 2 s pod start): raise minReplicas to at least 15, or pre-scale with a flash-sale window',
    ]);
  });

  test('a plan that fits has no problems', () => {
    const e = evaluatePlan({ peakRequestsPerSecond: 70000, requestsPerPodPerSecond: 100, burstRequestsPerSecond: 1000 }, range);
    expect(checkPlan('capacity', e, 10, 1200)).toEqual([]);
  });

  test('the plan\'s own numbers must be positive', () => {
    expect(checkPlanInputs('capacity', {
      peakRequestsPerSecond: 0, requestsPerPodPerSecond: -1, targetUtilizationPercent: 120, burstRequestsPerSecond: NaN, podStartSeconds: -2,
    })).toEqual([
      'capacity.peakRequestsPerSecond (0) must be a positive number',
      'capacity.requestsPerPodPerSecond (-1) must be a positive number',
      'capacity.burstRequestsPerSecond (NaN) must be a positive number',
      'capacity.targetUtilizationPercent (120) must be above 0 and at most 100',
      'capacity.podStartSeconds (-2) must be from 0 to 600',
    ]);
  });
});
