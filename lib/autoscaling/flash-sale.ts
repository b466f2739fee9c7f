import { checkDns1123Label, checkIntegerInRange, oneLine } from '../core/names';

/** Days of the week, numbered as cron numbers them (Sunday = 0). */
export enum Weekday {
  SUNDAY = 0,
  MONDAY = 1,
  TUESDAY = 2,
  WEDNESDAY = 3,
  THURSDAY = 4,
  FRIDAY = 5,
  SATURDAY = 6,
}

const WEEKDAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const TIME_OF_DAY = /^([01][0-9]|2[0-3]):([0-5][0-9])$/;
const LOCAL_DATE_TIME = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):([0-5][0-9])$/;

/** The two cron expressions of a KEDA cron trigger. */
export interface CronWindow {
  /** When the replicas are raised (five-field cron, in the window's timezone). */
  readonly start: string;
  /** When they are released. */
  readonly end: string;
}

/**
 * When a flash sale happens, in the wall-clock time of the window's timezone. Start and
 * end are when the sale itself opens and closes; {@link FlashSaleWindow.prescaleMinutes}
 * moves the scale-up earlier.
 */
export abstract class SaleSchedule {
  /** Every day from `start` to `end` ("HH:MM"); an end before the start ends the next day. */
  public static daily(props: { readonly start: string; readonly end: string }): SaleSchedule {
    return new WeeklySchedule([0, 1, 2, 3, 4, 5, 6], props.start, props.end);
  }

  /** On the given days from `start` to `end` ("HH:MM"); an end before the start ends the next day. */
  public static weekly(props: { readonly days: readonly Weekday[]; readonly start: string; readonly end: string }): SaleSchedule {
    return new WeeklySchedule(props.days, props.start, props.end);
  }

  /**
   * One dated sale, from `start` to `end` ("YYYY-MM-DDTHH:MM", local to the timezone).
   * Cron has no year field: the window repeats on the same dates every year, so remove it
   * once the sale is over.
   */
  public static onDate(props: { readonly start: string; readonly end: string }): SaleSchedule {
    return new DatedSchedule(props.start, props.end);
  }

  /**
   * Raw cron expressions for anything the others cannot say. `start` is when scaling
   * begins: {@link FlashSaleWindow.prescaleMinutes} cannot be applied to it.
   */
  public static cron(props: CronWindow): SaleSchedule {
    return new RawCronSchedule(props.start, props.end);
  }

  /** The cron expressions with the scale-up moved `leadMinutes` earlier. */
  public abstract toCron(leadMinutes: number): CronWindow;
  /** Problems with the schedule, naming `field`. */
  public abstract validate(field: string, leadMinutes: number | undefined): string[];
  /** The schedule for people (for the capacity report). */
  public abstract describe(): string;
  /** True when the lead time can be applied (every schedule except raw cron). */
  public abstract readonly supportsLead: boolean;
}

class WeeklySchedule extends SaleSchedule {
  public readonly supportsLead = true;
  constructor(private readonly days: readonly Weekday[], private readonly start: string, private readonly end: string) {
    super();
  }

  public toCron(leadMinutes: number): CronWindow {
    const start = minutesOf(this.start) - leadMinutes;
    const dayShift = Math.floor(start / 1440);
    const startMinute = ((start % 1440) + 1440) % 1440;
    const startDays = this.days.map((d) => (((d + dayShift) % 7) + 7) % 7);
    const endMinute = minutesOf(this.end);
    const endDays = endMinute <= minutesOf(this.start) ? this.days.map((d) => (d + 1) % 7) : this.days;
    return { start: cron(startMinute, dayList(startDays)), end: cron(endMinute, dayList(endDays)) };
  }

  public validate(field: string): string[] {
    const errors: string[] = [];
    for (const [name, value] of [['start', this.start], ['end', this.end]] as const) {
      if (!TIME_OF_DAY.test(value)) errors.push(`${field}.${name} "${oneLine(value)}" must be a time of day "HH:MM" (00:00 to 23:59)`);
    }
    if (this.start === this.end) errors.push(`${field}: start and end are both "${oneLine(this.start)}": a window needs a length`);
    if (this.days.length === 0) errors.push(`${field}.days is empty: give at least one Weekday`);
    this.days.forEach((d, i) => {
      if (!Number.isInteger(d) || d < 0 || d > 6) {
        errors.push(`${field}.days[${i}] (${oneLine(String(d))}) is not a weekday: use Weekday.SUNDAY (0) to Weekday.SATURDAY (6)`);
      }
    });
    return errors;
  }

  public describe(): string {
    const days = this.days.length === 7 ? 'daily' : [...this.days].sort().map((d) => WEEKDAY_NAMES[d]).join(', ');
    return `${days} ${this.start}-${this.end}`;
  }
}

class DatedSchedule extends SaleSchedule {
  public readonly supportsLead = true;
  constructor(private readonly start: string, private readonly end: string) {
    super();
  }

  public toCron(leadMinutes: number): CronWindow {
    const start = new Date(utcOf(this.start) - leadMinutes * 60_000);
    const end = new Date(utcOf(this.end));
    const dated = (d: Date) => `${d.getUTCMinutes()} ${d.getUTCHours()} ${d.getUTCDate()} ${d.getUTCMonth() + 1} *`;
    return { start: dated(start), end: dated(end) };
  }

  public validate(field: string): string[] {
    const errors: string[] = [];
    for (const [name, value] of [['start', this.start], ['end', this.end]] as const) {
      const problem = checkLocalDateTime(`${field}.${name}`, value);
      if (problem) errors.push(problem);
    }
    if (errors.length === 0) {
      const length = utcOf(this.end) - utcOf(this.start);
      if (length <= 0) errors.push(`${field}.end "${this.end}" must be after start "${this.start}"`);
      if (length > 31 * 86_400_000) errors.push(`${field}: the sale from "${this.start}" to "${this.end}" is longer than 31 days: raise minReplicas instead`);
    }
    return errors;
  }

  public describe(): string {
    return `${this.start.replace('T', ' ')} to ${this.end.replace('T', ' ')}`;
  }
}

class RawCronSchedule extends SaleSchedule {
  public readonly supportsLead = false;
  constructor(private readonly start: string, private readonly end: string) {
    super();
  }

  public toCron(): CronWindow {
    return { start: this.start, end: this.end };
  }

  public validate(field: string, leadMinutes: number | undefined): string[] {
    const errors: string[] = [];
    for (const [name, value] of [['start', this.start], ['end', this.end]] as const) {
      const problem = checkCron(`${field}.${name}`, value);
      if (problem) errors.push(problem);
    }
    if (errors.length === 0 && this.start.trim().split(/\s+/).join(' ') === this.end.trim().split(/\s+/).join(' ')) {
      errors.push(`${field}: start and end are both "${oneLine(this.start)}": KEDA refuses a cron trigger whose start and end are the same`);
    }
    if (leadMinutes !== undefined) {
      errors.push(`prescaleMinutes (${leadMinutes}) cannot move a raw cron start: leave it out and put the pre-scale time in the cron start`);
    }
    return errors;
  }

  public describe(): string {
    return `cron "${oneLine(this.start)}" to "${oneLine(this.end)}"`;
  }
}

function minutesOf(time: string): number {
  const m = TIME_OF_DAY.exec(time);
  return m ? Number(m[1]) * 60 + Number(m[2]) : 0;
}

/** A local date-time read as if it were UTC: only differences and wall-clock fields matter. */
function utcOf(value: string): number {
  const m = LOCAL_DATE_TIME.exec(value);
  if (!m) return NaN;
  const [, y, mo, d, h, mi] = m.map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi);
  // Date.UTC rolls 2025-02-30 over to March: refuse such dates.
  return new Date(t).getUTCDate() === d ? t : NaN;
}

function cron(minuteOfDay: number, days: string): string {
  return `${minuteOfDay % 60} ${Math.floor(minuteOfDay / 60)} * * ${days}`;
}

function dayList(days: readonly number[]): string {
  const unique = [...new Set(days)].sort((a, b) => a - b);
  return unique.length === 7 ? '*' : unique.join(',');
}

/** A known peak that a function is pre-scaled for (a KEDA cron trigger). */
export interface FlashSaleWindow {
  /** Name of the window, a DNS-1123 label (it names the KEDA trigger), for example "black-friday". */
  readonly name: string;
  /** When the sale opens and closes. */
  readonly schedule: SaleSchedule;
  /** IANA timezone the schedule is in, for example "Europe/Berlin". */
  readonly timezone: string;
  /** Replicas held from the pre-scale start to the sale's end; the metric triggers may add more. */
  readonly replicas: number;
  /**
   * Minutes before the sale opens that the scale-up starts, so the pods are running when
   * the first buyers arrive (scale-out takes HPA syncs and pod starts, not milliseconds).
   * @default 15 (none for SaleSchedule.cron, whose start already is the pre-scale time)
   */
  readonly prescaleMinutes?: number;
}

/** The lead time a window actually uses. */
export function prescaleMinutesOf(window: FlashSaleWindow): number {
  return window.prescaleMinutes ?? (window.schedule.supportsLead ? 15 : 0);
}

/** Problems with a window's own fields (not its relation to the autoscaler), naming `field`. */
export function checkFlashSaleWindow(field: string, window: FlashSaleWindow): string[] {
  const errors = [
    checkDns1123Label(`${field}.name`, window.name),
    checkTimezone(`${field}.timezone`, window.timezone),
    window.prescaleMinutes !== undefined && window.schedule.supportsLead
      ? checkIntegerInRange(`${field}.prescaleMinutes`, window.prescaleMinutes, 0, 1440) : undefined,
  ].filter((e): e is string => e !== undefined);
  const lead = window.schedule.supportsLead ? undefined : window.prescaleMinutes;
  return [...errors, ...window.schedule.validate(`${field}.schedule`, lead).map((e) => e.startsWith('prescale') ? `${field}.${e}` : e)];
}

/** IANA names Intl knows, spelled exactly; Intl itself accepts any case. */
let knownZones: ReadonlySet<string> | undefined;

/**
 * Why `timezone` is not an IANA zone KEDA can load, or undefined. KEDA loads it with Go's
 * `time.LoadLocation`, which matches the name exactly: "europe/berlin" or an offset such as
 * "+01:00" (both of which Intl accepts) fail there, so the name must be spelled as in the
 * tz database (each part starts with a capital, as every tz name does).
 */
export function checkTimezone(field: string, timezone: string): string | undefined {
  const allowed = 'use an IANA name spelled exactly, such as "Europe/Berlin", "America/New_York" or "UTC"';
  if (typeof timezone !== 'string') return `${field} (${oneLine(String(timezone))}) is not an IANA timezone: ${allowed}`;
  knownZones ??= new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);
  if (knownZones.has(timezone)) return undefined;
  let resolved: string | undefined;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: timezone }).resolvedOptions().timeZone;
  } catch {
    // not a zone at all
  }
  const shaped = /^[A-Z][A-Za-z0-9_+-]*(\/[A-Z][A-Za-z0-9_+-]*)*$/.test(timezone);
  if (resolved === timezone) return undefined;
  if (resolved === undefined || !/^[A-Za-z]/.test(timezone)) return `${field} "${oneLine(timezone)}" is not an IANA timezone: ${allowed}`;
  if (resolved.toLowerCase() === timezone.toLowerCase() || !shaped) {
    return `${field} "${oneLine(timezone)}" is not spelled as in the tz database (KEDA matches the name exactly): use "${resolved}"`;
  }
  // A zone Intl knows by another of its names ("Asia/Kolkata" is "Asia/Calcutta" to ICU): spelled as a zone is.
  return undefined;
}

const CRON_FIELDS: readonly { readonly name: string; readonly min: number; readonly max: number; readonly names?: readonly string[]; readonly hint: string }[] = [
  { name: 'minute', min: 0, max: 59, hint: '0-59' },
  { name: 'hour', min: 0, max: 23, hint: '0-23' },
  { name: 'day-of-month', min: 1, max: 31, hint: '1-31' },
  { name: 'month', min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'], hint: '1-12 or JAN-DEC' },
  { name: 'day-of-week', min: 0, max: 6, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'], hint: '0-6 (Sunday = 0) or SUN-SAT' },
];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why `expr` is not a cron expression KEDA's cron scaler accepts (robfig/cron, five fields:
 * minute hour day-of-month month day-of-week), or undefined. Every value must exist in its
 * field: minute 60, hour 24 or weekday 7 are refused by KEDA, and a day that no month given
 * has (30 February) would never fire.
 */
export function checkCron(field: string, expr: string): string | undefined {
  const shape = 'a five-field cron expression (minute hour day-of-month month day-of-week, for example "45 8 * * 5")';
  if (typeof expr !== 'string') return `${field} (${oneLine(String(expr))}) must be ${shape}`;
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5) return `${field} "${oneLine(expr)}" must be ${shape}`;
  const values: (number[] | undefined)[] = [];
  for (let i = 0; i < 5; i++) {
    const f = CRON_FIELDS[i];
    const set: number[] = [];
    for (const item of parts[i].split(',')) {
      const m = /^(\*|\?|[A-Za-z0-9]+)(?:-([A-Za-z0-9]+))?(?:\/(\d+))?$/.exec(item);
      const value = (v: string): number => {
        const named = f.names?.indexOf(v.toUpperCase()) ?? -1;
        if (named >= 0) return named + f.min;
        return /^\d+$/.test(v) ? Number(v) : NaN;
      };
      if (!m || ((m[1] === '*' || m[1] === '?') && m[2] !== undefined)) {
        return `${field} "${oneLine(expr)}": ${f.name} "${oneLine(item)}" is not a value, range (a-b), list (a,b) or step (*/n): use ${f.hint}`;
      }
      const whole = m[1] === '*' || m[1] === '?';
      const from = whole ? f.min : value(m[1]);
      const to = whole ? f.max : m[2] !== undefined ? value(m[2]) : m[3] !== undefined ? f.max : from;
      for (const v of [from, to]) {
        if (Number.isNaN(v) || v < f.min || v > f.max) {
          const bad = Number.isNaN(from) || from < f.min || from > f.max ? m[1] : m[2] ?? m[1];
          const what = f.name === 'day-of-week' ? `weekday ${bad} does not exist`
            : Number.isNaN(value(bad)) ? `${f.name} "${oneLine(bad)}" is not a number${f.names ? ' or a name' : ''}` : `${f.name} ${bad} is out of range`;
          return `${field} "${oneLine(expr)}": ${what}: use ${f.hint}`;
        }
      }
      if (from > to) return `${field} "${oneLine(expr)}": ${f.name} range "${oneLine(item)}" starts after it ends: use ${f.hint}, low to high`;
      const step = m[3] !== undefined ? Number(m[3]) : 1;
      if (step < 1) return `${field} "${oneLine(expr)}": ${f.name} step "${oneLine(item)}" must be a positive number`;
      for (let v = from; v <= to; v += step) set.push(v);
    }
    values.push(whole(parts[i]) ? undefined : set);
  }
  const [, , days, months, weekdays] = values;
  // Day-of-month and day-of-week are ORed when both are restricted; only a day-of-month alone can never fire.
  if (days !== undefined && months !== undefined && weekdays === undefined && !days.some((d) => months.some((mo) => d <= DAYS_IN_MONTH[mo - 1]))) {
    return `${field} "${oneLine(expr)}" never fires: ${months.map((mo) => MONTH_NAMES[mo - 1]).join(', ')} ${months.length === 1 ? 'has' : 'have'} no day ${days.join(', ')}: give a day that exists`;
  }
  return undefined;
}

function whole(part: string): boolean {
  return part === '*' || part === '?';
}

/**
 * Why `value` is not a local date-time "YYYY-MM-DDTHH:MM" that exists, or undefined. A value
 * of the right shape whose day does not exist (2026-02-30) is told so.
 */
export function checkLocalDateTime(field: string, value: string): string | undefined {
  if (typeof value !== 'string' || !LOCAL_DATE_TIME.test(value)) {
    return `${field} "${oneLine(String(value))}" must be a local date and time "YYYY-MM-DDTHH:MM" (for example "2025-11-28T09:00")`;
  }
  if (Number.isNaN(utcOf(value))) {
    const [y, mo, d] = value.slice(0, 10).split('-').map(Number);
    const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
    return `${field} "${value}" has the right shape but the day does not exist: ${MONTH_NAMES[mo - 1]} ${y} has ${days} days (day ${d} given)`;
  }
  return undefined;
}
