import { describe, expect, it } from 'vitest';
import { csvCell, toCsv } from '../../src/dossiers/csv.js';

describe('CSV for Excel in nl-BE', () => {
  it('starts with a BOM, separates with ; and ends lines with CRLF', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['1', 2],
          [null, undefined],
        ],
      ),
    ).toBe('\uFEFFa;b\r\n1;2\r\n;\r\n');
  });

  it('quotes cells with a separator, a quote or a line break', () => {
    expect(csvCell('De Meeuw; NV')).toBe('"De Meeuw; NV"');
    expect(csvCell('Zeg "ja"')).toBe('"Zeg ""ja"""');
    expect(csvCell('regel 1\nregel 2')).toBe('"regel 1\nregel 2"');
    expect(csvCell(' spatie')).toBe('" spatie"');
  });

  it.each(['=1+1', '+32 470', '-2', '@SUM(A1)', '\tTAB', '\rCR', '＝1+1', '＋SUM(A1)', '－2+3', '＠SUM(A1)'])(
    'neutralises a cell that a spreadsheet would run as a formula: %j',
    (value) => {
      expect(csvCell(value).replace(/^"/, '').startsWith(`'${value[0]}`)).toBe(true);
    },
  );

  it('leaves ordinary text alone', () => {
    expect(csvCell('Veiligheidscoördinator')).toBe('Veiligheidscoördinator');
    expect(csvCell('2662,50')).toBe('2662,50');
  });
});
