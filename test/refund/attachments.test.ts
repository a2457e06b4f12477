import { describe, expect, it } from 'vitest';
import { checkUpload, formatFileSize, safeFilename, sniffContentType } from '../../src/refund/attachments.js';
import { paths, NEW_DRAFT, stepPath } from '../../src/paths.js';
import { STEPS } from '../../src/refund/steps.js';
import { trainingKey } from '../../src/refund/training-key.js';
import { normaliseProviderNumber } from '../../src/refund/steps/opleiding.js';
import { normalisePhone } from '../../src/refund/steps/werkgever.js';

const file = (data: Buffer, filename = 'x', declaredType = 'application/octet-stream') => ({
  field: 'inschrijvingsattest',
  filename,
  declaredType,
  data,
});

describe('uploaded files', () => {
  it('knows PDF, PNG and JPEG by their first bytes only', () => {
    expect(sniffContentType(Buffer.from('%PDF-1.7\n…'))).toBe('application/pdf');
    expect(sniffContentType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe('image/png');
    expect(sniffContentType(Buffer.from([0xff, 0xd8, 0xff, 0xdb]))).toBe('image/jpeg');
    expect(sniffContentType(Buffer.from('GIF89a'))).toBeNull();
    expect(sniffContentType(Buffer.from('<html>%PDF-'))).toBeNull();
    expect(sniffContentType(Buffer.from('%PD'))).toBeNull();
  });

  it('keeps only the last part of a file name, without control characters', () => {
    expect(safeFilename('C:\\Users\\jan\\attest.pdf')).toBe('attest.pdf');
    expect(safeFilename('../../etc/passwd')).toBe('passwd');
    expect(safeFilename('a\u0000b\r\n".pdf')).toBe('ab.pdf');
    expect(safeFilename('..')).toBe('bijlage');
    expect(safeFilename('')).toBe('bijlage');
    expect(safeFilename('x'.repeat(300)).length).toBe(100);
  });

  it('names a stored file after its detected type, without invisible or bidirectional characters', () => {
    expect(safeFilename('factuur\u202Egpj.exe', 'image/jpeg')).toBe('factuurgpj.jpg');
    expect(safeFilename('scan\u200B\u2066.PDF\u2069', 'application/pdf')).toBe('scan.pdf');
    expect(safeFilename('foto.jpeg', 'image/jpeg')).toBe('foto.jpg');
    expect(safeFilename('attest', 'image/png')).toBe('attest.png');
    expect(safeFilename('.pdf', 'application/pdf')).toBe('bijlage.pdf');
    expect(safeFilename('rapport: versie 2?.pdf', 'application/pdf')).toBe('rapport versie 2.pdf');
    expect(safeFilename(`${'😀'.repeat(150)}.png`, 'image/png')).toBe(`${'😀'.repeat(100)}.png`);
  });

  it('refuses empty files and other types with what to do; accepts by content whatever the name says', () => {
    expect(checkUpload('inschrijvingsattest', file(Buffer.alloc(0), 'leeg.pdf'))).toEqual({
      ok: false,
      kind: 'inschrijvingsattest',
      message: 'Het bestand voor het inschrijvingsattest is leeg. Kies een ander bestand.',
    });
    expect(checkUpload('loopbaanattest', file(Buffer.from('MZ'), 'attest.pdf', 'application/pdf'))).toMatchObject({
      ok: false,
      message:
        'Het bestand voor het attest van loopbaanbegeleiding moet een PDF, PNG of JPEG zijn. Kies een ander bestand.',
    });
    const ok = checkUpload(
      'inschrijvingsattest',
      file(Buffer.from('%PDF-1.4'), 'scan.exe', 'application/x-msdownload'),
    );
    expect(ok).toMatchObject({
      ok: true,
      upload: { contentType: 'application/pdf', filename: 'scan.pdf', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });

  it('shows sizes in kB and MB', () => {
    expect(formatFileSize(100)).toBe('1 kB');
    expect(formatFileSize(20_480)).toBe('20 kB');
    expect(formatFileSize(3.4 * 1024 * 1024)).toBe('3,4 MB');
  });
});

describe('small refund helpers', () => {
  it('starts a new request at step 1 of the table', () => {
    expect(stepPath(NEW_DRAFT, STEPS[0].slug)).toBe(paths.refundNew);
  });

  it('identifies the same training regardless of case, accents and punctuation', () => {
    expect(trainingKey({ type: 'odb', odbNumber: '123', name: 'x', providerNumber: 'y' })).toBe('odb:123');
    expect(trainingKey({ type: 'evc', odbNumber: null, name: 'Lasser  (TIG)', providerNumber: '0403170701' })).toBe(
      trainingKey({ type: 'evc', odbNumber: null, name: 'lasser tig', providerNumber: '0403170701' }),
    );
    expect(trainingKey({ type: 'loopbaan', odbNumber: null, name: 'Coördinator', providerNumber: 'A-1' })).toBe(
      'loopbaan:coordinator|a 1',
    );
  });

  it('accepts phone numbers with 9 to 15 digits and the usual separators', () => {
    expect(normalisePhone('09 123 45 67')).toBe('09 123 45 67');
    expect(normalisePhone('+32 (0)470/12.34.56')).toBe('+32 (0)470/12.34.56');
    expect(normalisePhone('123 45')).toBeNull();
    expect(normalisePhone('bel 0470 12 34 56')).toBeNull();
  });

  it('takes a valid KBO number or an institution number for the provider', () => {
    expect(normaliseProviderNumber('BE 0403.170.701')).toBe('0403170701');
    expect(normaliseProviderNumber('0403.170.702')).toBeNull();
    expect(normaliseProviderNumber('123456')).toBe('123456');
    expect(normaliseProviderNumber('<script>')).toBeNull();
  });
});
