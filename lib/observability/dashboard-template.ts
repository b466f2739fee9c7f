import { RequestMetrics } from '../core/metrics';
import { dashboardExpressions, FunctionDashboardContext, functionDashboard } from './dashboards';
import { ServiceLevelObjective } from './objectives';
import { parsesWhateverTheLiterals, substituteGrafanaVariables } from './promql';
import { cut, fill, numberKey, ObjectiveKeys, Pieces, VERBATIM } from './stand-ins';

/** A function's dashboard as its ConfigMap holds it, and the PromQL of its panels. @internal */
export interface RenderedDashboard {
  /** `JSON.stringify(functionDashboard(ctx), undefined, 2)`. */
  readonly json: string;
  /** `dashboardExpressions(functionDashboard(ctx))`. */
  readonly expressions: readonly string[];
  /**
   * True when every expression, with its Grafana variables substituted, is known to parse:
   * its template's did, with the function's strings only in string literals.
   * @default - not known: check each expression
   */
  readonly expressionsParse?: boolean;
}

/** A function's dashboard built and rendered the direct way, with the Grafana SDK's builders. @internal */
export function renderFunctionDashboard(ctx: FunctionDashboardContext): RenderedDashboard {
  const model = functionDashboard(ctx);
  return { json: JSON.stringify(model, undefined, 2), expressions: dashboardExpressions(model) };
}

/** The strings that differ between functions whose dashboards have the same shape. */
type Slots = readonly [namespace: string, name: string, uid: string, hpaName: string];

/** Two sets of stand-ins, of different lengths, for the slots: a template is built with each and must agree. */
const STAND_INS: readonly Slots[] = [
  ['zq7ns', 'zq7fn', 'zq7uid', 'zq7hpa'],
  ['zq8namespacex', 'zq8functionxx', 'zq8uidxxxxxxxxx', 'zq8hpaxxxxxxxxxxxxx'],
];

interface Template {
  readonly json: Pieces;
  readonly expressions: readonly Pieces[];
  /** What the source's `matchers` returned for the stand-ins: the one value the template takes from outside this library's code. */
  readonly matchers: Pieces;
  /** Whether every dashboard of the template has expressions that parse, whatever its strings (see {@link parseWhateverTheSlots}). */
  readonly expressionsParse: boolean;
}

/**
 * Function dashboards built once per shape. In a fleet most functions have the same
 * objectives, metrics source and kind of autoscaler, and their dashboards differ only in the
 * function's namespace, name, dashboard UID and HPA name. Building each one with the
 * Grafana SDK's builders and indenting its JSON cost a fifth of a second per thousand
 * functions; here the dashboard of a shape is built once with stand-in strings, and each
 * function's JSON and expressions are the template's with its own strings put in.
 *
 * The output is the direct build's, byte for byte: the function's strings reach the
 * dashboard only through concatenation, `quote` and JSON.stringify, which leave
 * {@link VERBATIM} values unchanged (other values are built directly); the template is built
 * with two sets of stand-ins of different lengths and used only when the two agree (so no
 * other text holds a stand-in and nothing depends on their length); and the source's
 * `matchers`, the one piece of code from outside, is called for each function and compared
 * with the template's.
 *
 * @internal one instance per stack and synthesis (the source's matchers are code that could change between synths).
 */
export class FunctionDashboardTemplates {
  /** Per metrics source, then per shape; undefined where the stand-in builds disagreed. */
  private readonly templates = new Map<RequestMetrics, Map<string, Template | undefined>>();

  private readonly objectiveKeys = new ObjectiveKeys();

  /** The dashboard of `ctx`, from its shape's template when there is one. */
  public render(ctx: FunctionDashboardContext): RenderedDashboard {
    const slots: Slots = [ctx.namespace, ctx.name, ctx.uid, ctx.autoscaler?.hpaName ?? 'unused'];
    if (!slots.every((s) => VERBATIM.test(s))) return renderFunctionDashboard(ctx);
    let shapes = this.templates.get(ctx.source);
    if (shapes === undefined) {
      shapes = new Map();
      this.templates.set(ctx.source, shapes);
    }
    const key = shapeKey(ctx, this.objectiveKeys.of);
    let template = shapes.get(key);
    if (template === undefined && !shapes.has(key)) {
      template = buildTemplate(ctx);
      shapes.set(key, template);
    }
    if (template === undefined || fill(template.matchers, slots) !== ctx.source.matchers(ctx)) {
      return renderFunctionDashboard(ctx);
    }
    return { json: fill(template.json, slots), expressions: template.expressions.map((e) => fill(e, slots)), expressionsParse: template.expressionsParse };
  }
}

/** Everything of `ctx` the dashboard depends on besides the slots; `objectiveKey` gives each objective's part. */
function shapeKey(ctx: FunctionDashboardContext, objectiveKey: (o: ServiceLevelObjective) => string): string {
  const a = ctx.autoscaler;
  return JSON.stringify([
    ctx.objectives.map(objectiveKey),
    a === undefined ? null : [a.kind, numberKey(a.minReplicas), numberKey(a.maxReplicas)],
    numberKey(ctx.fixedReplicas),
    ctx.overviewUid,
  ]);
}

function withSlots(ctx: FunctionDashboardContext, slots: Slots): FunctionDashboardContext {
  const [namespace, name, uid, hpaName] = slots;
  return { ...ctx, namespace, name, uid, autoscaler: ctx.autoscaler === undefined ? undefined : { ...ctx.autoscaler, hpaName } };
}

/** The template of `ctx`'s shape, or undefined when the two stand-in builds do not agree. */
function buildTemplate(ctx: FunctionDashboardContext): Template | undefined {
  const [a, b] = STAND_INS.map((slots) => {
    const c = withSlots(ctx, slots);
    return { ...renderFunctionDashboard(c), matchers: c.source.matchers(c) };
  });
  const texts = (r: typeof a): string[] => [r.json, r.matchers, ...r.expressions];
  const aTexts = texts(a);
  const bTexts = texts(b);
  if (aTexts.length !== bTexts.length) return undefined;
  const pieces = aTexts.map((t) => cut(t, STAND_INS[0]));
  if (pieces.some((p, i) => fill(p, STAND_INS[1]) !== bTexts[i])) return undefined;
  const [json, matchers, ...expressions] = pieces;
  return { json, matchers, expressions, expressionsParse: expressions.every(parseWhateverTheSlots) };
}

/** Characters a Grafana variable (`$__rate_interval`, `${datasource}`) is made of. */
const VARIABLE_CHARACTER = /[A-Za-z0-9_{}$]/;

/**
 * Whether an expression of the template parses after `substituteGrafanaVariables`, whatever
 * {@link VERBATIM} strings fill its slots. Each slot must sit between characters that cannot
 * be part of a Grafana variable: a variable starts with '$', which no slot holds, and is made
 * of {@link VARIABLE_CHARACTER}s, so it cannot reach into a slot, and substituting the
 * variables commutes with filling the slots. Then it is {@link parsesWhateverTheLiterals}.
 */
function parseWhateverTheSlots(pieces: Pieces): boolean {
  for (let i = 0; i < pieces.length; i++) {
    if (typeof pieces[i] !== 'number') continue;
    const before = pieces[i - 1];
    const after = pieces[i + 1];
    if (typeof before !== 'string' || typeof after !== 'string' || before === '' || after === '') return false;
    if (VARIABLE_CHARACTER.test(before[before.length - 1]) || VARIABLE_CHARACTER.test(after[0])) return false;
  }
  return parsesWhateverTheLiterals(substituteGrafanaVariables(fill(pieces, STAND_INS[0])), STAND_INS[0]);
}
