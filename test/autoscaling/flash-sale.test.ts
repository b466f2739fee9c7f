import { checkFlashSaleWindow, checkTimezone, prescaleMinutesOf, SaleSchedule, Weekday } from '../../lib';

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
      'flashSales[0].timezone "Mars/Olympus" is not an IANA timezone: use a name such as "Europe/Berlin", "America/New_York" or "UTC"',
      'flashSales[0].prescaleMinutes (2000) must be an integer from 0 to 1440',
      'flashSales[0].schedule.start "24:00" must be a time of day "HH:MM" (00:00 to 23:59)',
      'flashSales[0].schedule.end "9:00" must be a time of day "HH:MM" (00:00 to 23:59)',
      'flashSales[0].schedule.days is empty: give at least one Weekday',
    ]);
  });

  test('dated windows: real dates, end after start, at most 31 days', () => {
    expect(checkFlashSaleWindow('w', window(SaleSchedule.onDate({ start: '2025-02-30T09:00', end: '2025-03-01T09:00' }))))
      .toEqual(['w.schedule.start "2025-02-30T09:00" must be a local date and time "YYYY-MM-DDTHH:MM" (for example "2025-11-28T09:00")']);
    expect(checkFlashSaleWindow('w', window(SaleSchedule.onDate({ start: '2025-11-28T09:00', end: '2025-11-28T08:00' }))))
      .toEqual(['w.schedule.end "2025-11-28T08:00" must be after start "2025-11-28T09:00"']);
    expect(checkFlashSaleWindow('w', window(SaleSchedule.onDate({ start: '2025-11-01T09:00', end: '2025-12-15T08:00' }))))
      .toEqual(['w.schedule: the sale from "2025-11-01T09:00" to "2025-12-15T08:00" is longer than 31 days: raise minReplicas instead']);
  });

  test('a raw cron window refuses a lead time and malformed expressions', () => {
    expect(checkFlashSaleWindow('w', window(SaleSchedule.cron({ start: '30 19 * *', end: '0 22 * * 5' }), { prescaleMinutes: 10 }))).toEqual([
      'w.schedule.start "30 19 * *" must be a five-field cron expression (minute hour day-of-month month day-of-week)',
      'w.prescaleMinutes (10) cannot move a raw cron start: leave it out and put the pre-scale time in the cron start',
    ]);
  });

  test('timezones: IANA names only, as Go\'s time.LoadLocation reads them', () => {
    expect(checkTimezone('tz', 'UTC')).toBeUndefined();
    expect(checkTimezone('tz', 'America/Argentina/Buenos_Aires')).toBeUndefined();
    expect(checkTimezone('tz', '+01:00')).toMatch(/is not an IANA timezone/);
  });
});
