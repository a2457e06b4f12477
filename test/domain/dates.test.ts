import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  addDays,
  addMonths,
  addYears,
  compareIso,
  daysInMonth,
  formatDateNl,
  formatDateTimeNl,
  fromCalendarDate,
  isIsoDate,
  isLeapYear,
  parseDateNl,
  toCalendarDate,
  todayInBrussels,
} from '../../src/domain/dates.js';

/** Arbitrary valid calendar dates 1900..2199 as ISO strings. */
const isoDate = fc
  .record({
    year: fc.integer({ min: 1900, max: 2199 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
  })
  .filter(({ year, month, day }) => day <= daysInMonth(year, month))
  .map(({ year, month, day }) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);

describe('parseDateNl', () => {
  it('parses dd/mm/jjjj, d/m/jjjj, dd-mm-jjjj, dd.mm.jjjj and ISO', () => {
    expect(parseDateNl('01/09/2025')).toBe('2025-09-01');
    expect(parseDateNl('1/9/2025')).toBe('2025-09-01');
    expect(parseDateNl('01-09-2025')).toBe('2025-09-01');
    expect(parseDateNl('01.09.2025')).toBe('2025-09-01');
    expect(parseDateNl('2025-09-01')).toBe('2025-09-01');
    expect(parseDateNl('  31/12/2024 ')).toBe('2024-12-31');
  });

  it('rejects impossible dates', () => {
    expect(parseDateNl('31/02/2025')).toBeNull();
    expect(parseDateNl('29/02/2025')).toBeNull();
    expect(parseDateNl('29/02/2024')).toBe('2024-02-29');
    expect(parseDateNl('29/02/1900')).toBeNull(); // not a leap year
    expect(parseDateNl('29/02/2000')).toBe('2000-02-29');
    expect(parseDateNl('31/04/2025')).toBeNull();
    expect(parseDateNl('00/01/2025')).toBeNull();
    expect(parseDateNl('01/13/2025')).toBeNull();
    expect(parseDateNl('2025-02-30')).toBeNull();
  });

  it('rejects garbage, mixed separators, 2-digit years and US order ambiguity is not guessed', () => {
    for (const input of [
      '',
      'morgen',
      '01/09/25',
      '01/09-2025',
      '2025/09/01',
      '2025-9-1',
      '001/09/2025',
      '01/09/02025',
      '0001-01-01',
    ]) {
      expect(parseDateNl(input), input).toBeNull();
    }
    expect(parseDateNl('09/01/2025')).toBe('2025-01-09'); // day first, always
  });

  it('property: parseDateNl(formatDateNl(iso)) = iso', () => {
    fc.assert(
      fc.property(isoDate, (iso) => {
        expect(parseDateNl(formatDateNl(iso))).toBe(iso);
        expect(parseDateNl(iso)).toBe(iso);
      }),
    );
  });
});

describe('formatDateNl and calendar helpers', () => {
  it('formats as dd/mm/jjjj', () => {
    expect(formatDateNl('2025-09-01')).toBe('01/09/2025');
    expect(formatDateNl('2025-12-31')).toBe('31/12/2025');
  });

  it('returns non-ISO input unchanged', () => {
    expect(formatDateNl('2025-02-30')).toBe('2025-02-30');
    expect(formatDateNl('01/09/2025')).toBe('01/09/2025');
  });

  it('isIsoDate is strict', () => {
    expect(isIsoDate('2025-09-01')).toBe(true);
    expect(isIsoDate('2025-9-01')).toBe(false);
    expect(isIsoDate('2025-02-29')).toBe(false);
    expect(isIsoDate(20250901)).toBe(false);
  });

  it('converts to and from CalendarDate', () => {
    expect(toCalendarDate('2025-09-01')).toEqual({ year: 2025, month: 9, day: 1 });
    expect(fromCalendarDate({ year: 2025, month: 9, day: 1 })).toBe('2025-09-01');
    expect(() => fromCalendarDate({ year: 2025, month: 2, day: 29 })).toThrow(RangeError);
    expect(() => toCalendarDate('01/09/2025')).toThrow(RangeError);
  });

  it('knows leap years and month lengths', () => {
    expect([isLeapYear(2024), isLeapYear(2025), isLeapYear(1900), isLeapYear(2000)]).toEqual([
      true,
      false,
      false,
      true,
    ]);
    expect([daysInMonth(2024, 2), daysInMonth(2025, 2), daysInMonth(2025, 4), daysInMonth(2025, 8)]).toEqual([
      29, 28, 30, 31,
    ]);
  });

  it('compareIso', () => {
    expect(compareIso('2025-08-31', '2025-09-01')).toBe(-1);
    expect(compareIso('2025-09-01', '2025-09-01')).toBe(0);
    expect(compareIso('2026-01-01', '2025-12-31')).toBe(1);
    expect(() => compareIso('2025-09-01', 'gisteren')).toThrow(RangeError);
  });
});

describe('addMonths / addYears / addDays', () => {
  it('adds months and clamps to the end of the month', () => {
    expect(addMonths('2025-09-01', 3)).toBe('2025-12-01');
    expect(addMonths('2025-09-01', -3)).toBe('2025-06-01');
    expect(addMonths('2025-08-31', 1)).toBe('2025-09-30');
    expect(addMonths('2025-11-30', 3)).toBe('2026-02-28');
    expect(addMonths('2023-11-30', 3)).toBe('2024-02-29');
    expect(addMonths('2025-05-31', -3)).toBe('2025-02-28');
    expect(addMonths('2025-01-31', 12)).toBe('2026-01-31');
    expect(addMonths('2025-12-15', 1)).toBe('2026-01-15');
    expect(addMonths('2025-01-15', -1)).toBe('2024-12-15');
    expect(addMonths('2025-01-15', 0)).toBe('2025-01-15');
  });

  it('adds years with 29 February clamped', () => {
    expect(addYears('2024-02-29', 1)).toBe('2025-02-28');
    expect(addYears('2025-09-01', -6)).toBe('2019-09-01');
  });

  it('adds days across months, years and leap days', () => {
    expect(addDays('2025-12-01', 1)).toBe('2025-12-02');
    expect(addDays('2025-12-31', 1)).toBe('2026-01-01');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2023-03-01', -1)).toBe('2023-02-28');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2025-03-30', 1)).toBe('2025-03-31'); // DST change day in Brussels: no effect
  });

  it('rejects non-integer steps and malformed dates', () => {
    expect(() => addMonths('2025-09-01', 1.5)).toThrow(RangeError);
    expect(() => addDays('2025-09-01', 0.5)).toThrow(RangeError);
    expect(() => addMonths('2025-02-30', 1)).toThrow(RangeError);
  });

  it('property: addDays(n) then addDays(-n) is the identity; addDays(1) is strictly later', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: -2000, max: 2000 }), (iso, n) => {
        expect(addDays(addDays(iso, n), -n)).toBe(iso);
        expect(compareIso(addDays(iso, 1), iso)).toBe(1);
      }),
    );
  });

  it('property: addMonths keeps the day unless it must clamp, and never leaves the target month', () => {
    fc.assert(
      fc.property(isoDate, fc.integer({ min: -60, max: 60 }), (iso, n) => {
        const from = toCalendarDate(iso);
        const to = toCalendarDate(addMonths(iso, n));
        expect(to.year * 12 + to.month - (from.year * 12 + from.month)).toBe(n);
        expect(to.day).toBe(Math.min(from.day, daysInMonth(to.year, to.month)));
      }),
    );
  });
});

describe('Brussels time', () => {
  it('todayInBrussels uses the Brussels calendar date, not UTC', () => {
    // 22:30 UTC on 31/08 is 00:30 on 01/09 in Brussels (CEST, UTC+2)
    expect(todayInBrussels(new Date('2025-08-31T22:30:00Z'))).toBe('2025-09-01');
    expect(todayInBrussels(new Date('2025-08-31T21:59:00Z'))).toBe('2025-08-31');
    // winter time (CET, UTC+1)
    expect(todayInBrussels(new Date('2025-12-31T23:00:00Z'))).toBe('2026-01-01');
    expect(todayInBrussels(new Date('2025-12-31T22:59:00Z'))).toBe('2025-12-31');
  });

  it('formatDateTimeNl writes dd/mm/jjjj om HH:MM in Brussels time, 24-hour clock', () => {
    expect(formatDateTimeNl(new Date('2025-09-01T12:05:00Z'))).toBe('01/09/2025 om 14:05');
    expect(formatDateTimeNl(new Date('2025-01-15T23:30:00Z'))).toBe('16/01/2025 om 00:30');
    expect(formatDateTimeNl(new Date('2025-03-30T01:30:00Z'))).toBe('30/03/2025 om 03:30'); // just after the switch to summer time
  });

  it('property: formatDateTimeNl and todayInBrussels agree with the time-zone database at every instant, also around the DST switches', () => {
    const intl = new Intl.DateTimeFormat('nl-BE', {
      timeZone: 'Europe/Brussels',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    const expected = (d: Date) => {
      const p = Object.fromEntries(intl.formatToParts(d).map((x) => [x.type, x.value]));
      return `${p.day}/${p.month}/${p.year} om ${p.hour}:${p.minute}`;
    };
    // The last Sundays of March and October of 2025, when the offset changes at 01:00 UTC, give or take an hour.
    const switches = [Date.UTC(2025, 2, 30, 1), Date.UTC(2025, 9, 26, 1)];
    const nearSwitch = fc
      .tuple(fc.constantFrom(...switches), fc.integer({ min: -7_200_000, max: 7_200_000 }))
      .map(([at, d]) => at + d);
    const anytime = fc.integer({ min: Date.UTC(1990, 0, 1), max: Date.UTC(2100, 0, 1) });
    fc.assert(
      fc.property(fc.oneof(nearSwitch, anytime), (ms) => {
        const d = new Date(ms);
        const text = formatDateTimeNl(d);
        expect(text).toBe(expected(d));
        const [day, month, year] = text.slice(0, 10).split('/');
        expect(todayInBrussels(d)).toBe(`${year}-${month}-${day}`);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects an invalid Date', () => {
    expect(() => todayInBrussels(new Date('nonsense'))).toThrow(RangeError);
  });
});
