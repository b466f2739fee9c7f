import { checkDns1123Label, checkIntegerInRange } from '../core/names';

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
      if (!TIME_OF_DAY.test(value)) errors.push(`${field}.${name} "${value}" must be a time of day "HH:MM" (00:00 to 23:59)`);
    }
    if (this.start === this.end) errors.push(`${field}: start and end are both "${this.start}": a window needs a length`);
    if (this.days.length === 0) errors.push(`${field}.days is empty: give at least one Weekday`);
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
      if (!LOCAL_DATE_TIME.test(value) || Number.isNaN(utcOf(value))) {
        errors.push(`${field}.${name} "${value}" must be a local date and time "YYYY-MM-DDTHH:MM" (for example "2025-11-28T09:00")`);
      }
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
      if (value.trim().split(/\s+/).length !== 5) {
        errors.push(`${field}.${name} "${value}" must be a five-field cron expression (minute hour day-of-month month day-of-week)`);
      }
    }
    if (leadMinutes !== undefined) {
      errors.push(`prescaleMinutes (${leadMinutes}) cannot move a raw cron start: leave it out and put the pre-scale time in the cron start`);
    }
    return errors;
  }

  public describe(): string {
    return `cron "${this.start}" to "${this.end}"`;
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

/** Why `timezone` is not an IANA zone KEDA can load, or undefined. */
export function checkTimezone(field: string, timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    // Intl accepts offsets like "+01:00" that Go's time.LoadLocation does not.
    if (/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(timezone)) return undefined;
  } catch {
    // fall through
  }
  return `${field} "${timezone}" is not an IANA timezone: use a name such as "Europe/Berlin", "America/New_York" or "UTC"`;
}
