import { Chart } from 'cdk8s';
import { checkCron, checkFlashSaleWindow, checkTimezone, KedaFunctionAutoscaler, prescaleMinutesOf, SaleSchedule, WasmFunction, Weekday } from '../../lib';
import { problemsOf, testApp } from '../support/synth';

describe('SaleSchedule cron expressions', () => {
  test('daily: the start moves earlier by the lead', () => {
    expect(SaleSchedule.daily({ start: '12:00', end: '13:00' }).toCron(15)).toEqual({ start: '45 11 * * *', end: '0 13 * * *' });
  });

  test('weekly: a lead across midnight moves the start to the day before', () => {
    expect(SaleSchedule.weekly({ days: [Weekday.MONDAY], start: '00:10', end: '01:00' }).toCron(15))
      .toEqual({ start: '55 23 * * 0', end: '0 1 * * 1' });
    expect(SaleSchedule.weekly({ days: [Weekday.SUNDAY], start: '00:05', end: '02:00' }).toCron(10))
      .toEqual({ start: '55 23 * * 6', end: '0 2 * * 0' });
  });

  test('weekly: an end before the start ends the next day', () => {
    expect(SaleSchedule.weekly({ days: [Weekday.FRIDAY, Weekday.SATURDAY], start: '22:00', end: '02:00' }).toCron(0))
      .toEqual({ start: '0 22 * * 5,6', end: '0 2 * * 0,6' });
  });

  test('onDate: the lead crosses the year boundary', () => {
    expect(SaleSchedule.onDate({ start: '2026-01-01T00:10', end: '2026-01-01T03:00' }).toCron(30))
      .toEqual({ start: '40 23 31 12 *', end: '0 3 1 1 *' });
  });

  test('raw cron is passed through and takes no lead', () => {
    const schedule = SaleSchedule.cron({ start: '30 19 * * 5', end: '0 22 * * 5' });
    expect(schedule.toCron(0)).toEqual({ start: '30 19 * * 5', end: '0 22 * * 5' });
    expect(prescaleMinutesOf({ name: 'w', schedule, timezone: 'UTC', replicas: 2 })).toBe(0);
    expect(prescaleMinutesOf({ name: 'w', schedule: SaleSchedule.daily({ start: '12:00', end: '13:00' }), timezone: 'UTC', replicas: 2 })).toBe(15);
  });

  test('describe for the report', () => {
    expect(SaleSchedule.daily({ start: '12:00', end: '13:00' }).describe()).toBe('daily 12:00-13:00');
    expect(SaleSchedule.weekly({ days: [Weekday.SATURDAY, Weekday.FRIDAY], start: '20:00', end: '22:00' }).describe()).toBe('Fri, Sat 20:00-22:00');
    expect(SaleSchedule.onDate({ start: '2025-11-28T09:00', end: '2025-11-28T13:00' }).describe()).toBe('2025-11-28 09:00 to 2025-11-28 13:00');
  });
});

describe('FlashSaleWindow validation', () => {
  const window = (schedule: SaleSchedule, extra: object = {}) => ({ name: 'black-friday', schedule, timezone: 'Europe/Berlin', replicas: 100, ...extra });

  test('a valid window has no problems', () => {
    expect(checkFlashSaleWindow('flashSales[0]', window(SaleSchedule.daily({ start: '12:00', end: '13:00' })))).toEqual([]);
  });

  test('bad times, names, timezones and lead times are each reported', () => {
    expect(checkFlashSaleWindow('flashSales[0]', window(SaleSchedule.weekly({ days: [], start: '24:00', end: '9:00' }), {
      name: 'Black_Friday', timezone: 'Mars/Olympus', prescaleMinutes: 2000,
    }))).toEqual([
      'flashSales[0].name "Black_Friday" is not a DNS-1123 label: use 1-63 lowercase letters, digits or \'-\', starting and ending with a letter or digit (for example "product-detail")',
      'flashSales[0].timezone "Mars/Olympus" is not an IANA timezone: use an IANA name spelled exactly, such as "Europe/Berlin", "America/New_York" or "UTC"',
      'flashSales[0].prescaleMinutes (2000) must be an integer from 0 to 1440',
      'flashSales[0].schedule.start "24:00" must be a time of day "HH:MM" (00:00 to 23:59)',
      'flashSales[0].schedule.end "9:00" must be a time of day "HH:MM" (00:00 to 23:59)',
      'flashSales[0].schedule.days is empty: give at least one Weekday',
    ]);
  });

  test('dated windows: real dates, end after start, at most 31 days', () => {
    expect(checkFlashSaleWindow('w', window(SaleSchedule.onDate({ start: '2025-02-30T09:00', end: '2025-03-01T09:00' }))))
      .toEqual(['w.schedule.start "2025-02-30T09:00" has the right shape but the day does not exist: February 2025 has 28 days (day 30 given)']);
    expect(checkFlashSaleWindow('w', window(SaleSchedule.onDate({ start: '2026-11-28T9:00', end: '2026-11-28T13:00' }))))
      .toEqual(['w.schedule.start "2026-11-28T9:00" must be a local date and time "YYYY-MM-DDTHH:MM" (for example "2025-11-28T09:00")']);
    expect(checkFlashSaleWindow('w', window(SaleSchedule.onDate({ start: '2028-02-29T09:00', end: '2028-02-29T13:00' })))).toEqual([]);
    expect(checkFlashSaleWindow('w', window(SaleSchedule.onDate({ start: '2025-11-28T09:00', end: '2025-11-28T08:00' }))))
      .toEqual(['w.schedule.end "2025-11-28T08:00" must be after start "2025-11-28T09:00"']);
    expect(checkFlashSaleWindow('w', window(SaleSchedule.onDate({ start: '2025-11-01T09:00', end: '2025-12-15T08:00' }))))
      .toEqual(['w.schedule: the sale from "2025-11-01T09:00" to "2025-12-15T08:00" is longer than 31 days: raise minReplicas instead']);
  });

  test('a raw cron window refuses a lead time and malformed expressions', () => {
    expect(checkFlashSaleWindow('w', window(SaleSchedule.cron({ start: '30 19 * *', end: '0 22 * * 5' }), { prescaleMinutes: 10 }))).toEqual([
      'w.schedule.start "30 19 * *" must be a five-field cron expression (minute hour day-of-month month day-of-week, for example "45 8 * * 5")',
      'w.prescaleMinutes (10) cannot move a raw cron start: leave it out and put the pre-scale time in the cron start',
    ]);
  });

  test('timezones: IANA names only, as Go\'s time.LoadLocation reads them', () => {
    expect(checkTimezone('tz', 'UTC')).toBeUndefined();
    expect(checkTimezone('tz', 'America/Argentina/Buenos_Aires')).toBeUndefined();
    expect(checkTimezone('tz', '+01:00')).toMatch(/is not an IANA timezone/);
  });

  test('timezones: spelled exactly as in the tz database, since KEDA matches the name exactly', () => {
    for (const ok of ['Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Etc/UTC', 'Etc/GMT+5', 'America/Port-au-Prince']) {
      expect(checkTimezone('tz', ok)).toBeUndefined();
    }
    expect(checkTimezone('tz', 'europe/berlin')).toBe('tz "europe/berlin" is not spelled as in the tz database (KEDA matches the name exactly): use "Europe/Berlin"');
    expect(checkTimezone('tz', 'AMERICA/NEW_YORK')).toBe('tz "AMERICA/NEW_YORK" is not spelled as in the tz database (KEDA matches the name exactly): use "America/New_York"');
    expect(checkTimezone('tz', 'Europe/Berlin\n')).toBe('tz "Europe/Berlin\\n" is not an IANA timezone: use an IANA name spelled exactly, such as "Europe/Berlin", "America/New_York" or "UTC"');
  });

  test('weekdays that exist: a day number from JavaScript outside 0-6 is refused', () => {
    expect(checkFlashSaleWindow('w', window(SaleSchedule.weekly({ days: [Weekday.FRIDAY, 7 as Weekday], start: '20:00', end: '22:00' })))).toEqual([
      'w.schedule.days[1] (7) is not a weekday: use Weekday.SUNDAY (0) to Weekday.SATURDAY (6)',
    ]);
  });

  test('raw cron: every field in range, weekdays that exist, days that some month has', () => {
    const cron = (start: string, end = '0 22 * * 5') => checkFlashSaleWindow('w', window(SaleSchedule.cron({ start, end })));
    expect(cron('30 19 * * 5')).toEqual([]);
    expect(cron('*/15 8-18 * * MON-FRI')).toEqual([]);
    expect(cron('0 9 24 11 *')).toEqual([]);
    expect(cron('0 9 * * 7')).toEqual(['w.schedule.start "0 9 * * 7": weekday 7 does not exist: use 0-6 (Sunday = 0) or SUN-SAT']);
    expect(cron('0 9 * * FRY')).toEqual(['w.schedule.start "0 9 * * FRY": weekday FRY does not exist: use 0-6 (Sunday = 0) or SUN-SAT']);
    expect(cron('60 9 * * 5')).toEqual(['w.schedule.start "60 9 * * 5": minute 60 is out of range: use 0-59']);
    expect(cron('0 24 * * 5')).toEqual(['w.schedule.start "0 24 * * 5": hour 24 is out of range: use 0-23']);
    expect(cron('0 9 0 * *')).toEqual(['w.schedule.start "0 9 0 * *": day-of-month 0 is out of range: use 1-31']);
    expect(cron('0 9 1 13 *')).toEqual(['w.schedule.start "0 9 1 13 *": month 13 is out of range: use 1-12 or JAN-DEC']);
    expect(cron('0 9 * * 5-1')).toEqual(['w.schedule.start "0 9 * * 5-1": day-of-week range "5-1" starts after it ends: use 0-6 (Sunday = 0) or SUN-SAT, low to high']);
    expect(cron('0 9 30 2 *')).toEqual(['w.schedule.start "0 9 30 2 *" never fires: February has no day 30: give a day that exists']);
    expect(cron('0 22 * * 5')).toEqual(['w.schedule: start and end are both "0 22 * * 5": KEDA refuses a cron trigger whose start and end are the same']);
    expect(checkCron('start', '0 9 * * 5\n0 10 * * 5')).toBe('start "0 9 * * 5\\n0 10 * * 5" must be a five-field cron expression (minute hour day-of-month month day-of-week, for example "45 8 * * 5")');
  });

  test('a bad window is reported with the autoscaler\'s construct path, once', () => {
    const app = testApp();
    const chart = new Chart(app, 'Functions', { namespace: 'shop' });
    const fn = new WasmFunction(chart, 'Price', { name: 'price', image: 'registry.example.com/functions/price@sha256:86c59df33204c79db3663f084b5dc26819d10d16e57a614c80aaaabde068edcc' });
    new KedaFunctionAutoscaler(chart, 'Scaler', {
      target: fn, minReplicas: 2, maxReplicas: 10,
      flashSales: [{ name: 'black-friday', schedule: SaleSchedule.onDate({ start: '2026-02-30T09:00', end: '2026-03-01T09:00' }), timezone: 'europe/berlin', replicas: 5 }],
    });
    expect(problemsOf(app)).toEqual([
      '[Functions/Scaler] flashSales[0].timezone "europe/berlin" is not spelled as in the tz database (KEDA matches the name exactly): use "Europe/Berlin"',
      '[Functions/Scaler] flashSales[0].schedule.start "2026-02-30T09:00" has the right shape but the day does not exist: February 2026 has 28 days (day 30 given)',
    ]);
  });
});
