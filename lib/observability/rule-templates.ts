import { RequestMetrics } from '../core/metrics';
import { parsesWhateverTheLiterals } from './promql';
import { FunctionRuleContext, functionRuleGroups, recordedWindows } from './rules';
import { cut, fill, ObjectiveKeys, Pieces, VERBATIM } from './stand-ins';

/** The strings of a function that its rule expressions hold. */
type Slots = readonly [namespace: string, name: string, hpaName: string];

/** Two sets of stand-ins, of different lengths: a template is built with each and must agree. */
const STAND_INS: readonly Slots[] = [
  ['zq7ns', 'zq7fn', 'zq7hpa'],
  ['zq8namespacex', 'zq8functionxx', 'zq8hpaxxxxxxxxxxxxx'],
];

interface Template {
  /** What the source's `matchers` returned for the stand-ins. */
  readonly matchers: Pieces;
  /** Whether the template's expressions parse whatever {@link VERBATIM} strings fill the slots. */
  readonly expressionsParse: boolean;
}

/**
 * Whether a function's rule expressions are known to parse without parsing them one by one.
 * The expressions of functions with the same objectives, metrics source and alerts differ
 * only in the function's namespace, name and HPA name, which reach them only through
 * concatenation and `quote` (and the source's `matchers`, compared for each function). The
 * rules of a shape are built with two sets of stand-ins of different lengths; when both
 * agree, and every stand-in lies inside a string literal of an expression that parses
 * ({@link parsesWhateverTheLiterals}), every function of the shape has expressions that parse.
 *
 * @internal one instance per stack and synthesis (the source's matchers are code that could change between synths).
 */
export class FunctionRuleTemplates {
  /** Per metrics source, then per shape; undefined where the stand-in builds disagreed. */
  private readonly templates = new Map<RequestMetrics, Map<string, Template | undefined>>();
  private readonly objectiveKeys = new ObjectiveKeys();

  /**
   * True when every expression of `functionRuleGroups(ctx)` is known to parse; false when it
   * is not known (the expressions are then to be checked one by one).
   */
  public expressionsParse(ctx: FunctionRuleContext): boolean {
    // An edge objective's matchers are the routes' own text: not a template's.
    if (ctx.edge !== undefined) return false;
    const slots: Slots = [ctx.namespace, ctx.name, ctx.hpa?.name ?? 'unused'];
    if (!slots.every((s) => VERBATIM.test(s))) return false;
    let shapes = this.templates.get(ctx.source);
    if (shapes === undefined) {
      shapes = new Map();
      this.templates.set(ctx.source, shapes);
    }
    const key = this.shapeKey(ctx);
    let template = shapes.get(key);
    if (template === undefined && !shapes.has(key)) {
      template = buildTemplate(ctx);
      shapes.set(key, template);
    }
    return template !== undefined && template.expressionsParse && fill(template.matchers, slots) === ctx.source.matchers(ctx);
  }

  /** Everything of `ctx` the expressions depend on besides the slots and the source. */
  private shapeKey(ctx: FunctionRuleContext): string {
    // Objective keys are JSON arrays and the window a Prometheus duration: ' ' separates them unambiguously.
    let key = `${ctx.baseWindow ?? recordedWindows(ctx.windows)[0]} ${ctx.hpa !== undefined} ${ctx.serviceMonitor !== undefined}`;
    for (const o of ctx.objectives) key += ` ${this.objectiveKeys.of(o)}`;
    return key;
  }
}

/** The template of `ctx`'s shape, or undefined when the two stand-in builds do not agree. */
function buildTemplate(ctx: FunctionRuleContext): Template | undefined {
  const [a, b] = STAND_INS.map((slots, i) => {
    const [namespace, name, hpaName] = slots;
    // The strings that reach only labels and annotations are stand-ins too: if one reached
    // an expression, the two builds would not agree.
    const c: FunctionRuleContext = {
      ...ctx,
      namespace,
      name,
      dashboardUid: `${slots[0]}uid${i}`,
      hpa: ctx.hpa === undefined ? undefined : { ...ctx.hpa, name: hpaName },
      serviceMonitor: ctx.serviceMonitor === undefined ? undefined : `${namespace}/monitor${i}`,
    };
    const exprs = functionRuleGroups(c).flatMap((g) => g.rules.map((r) => r.expr));
    return [c.source.matchers(c), ...exprs];
  });
  if (a.length !== b.length) return undefined;
  const pieces = a.map((t) => cut(t, STAND_INS[0]));
  if (pieces.some((p, i) => fill(p, STAND_INS[1]) !== b[i])) return undefined;
  const [matchers, ...expressions] = pieces;
  return {
    matchers,
    expressionsParse: expressions.every((e) => parsesWhateverTheLiterals(fill(e, STAND_INS[0]), STAND_INS[0])),
  };
}
