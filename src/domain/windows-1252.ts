/**
 * Windows-1252, the encoding of Excel's CSV on a Belgian PC and of the standard PDF fonts (WinAnsi): Latin-1
 * except bytes 0x80–0x9F, which hold €, ‘ ’ “ ”, … and others (five of them are unassigned).
 * Node's TextDecoder reads the label 'windows-1252' as Latin-1 and loses those, hence this table.
 */
const HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const ASSIGNED_HIGH = new Set([...HIGH].filter((ch) => ch.charCodeAt(0) > 0xff));

export function decodeWindows1252(data: Uint8Array): string {
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength)
    .toString('latin1')
    .replace(/[\x80-\x9f]/g, (c) => HIGH[c.charCodeAt(0) - 0x80]);
}

/** True when every character of `text` is a printable Windows-1252 character (or a line break). */
export function isPrintableWindows1252(text: string): boolean {
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (!(code === 0x0a || (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || ASSIGNED_HIGH.has(ch)))
      return false;
  }
  return true;
}
