import { inflateSync } from 'node:zlib';
import { decodeWindows1252 } from '../../src/domain/windows-1252.js';

interface PdfObject {
  dict: string;
  stream?: Buffer;
}

/**
 * Every object of the file by number, found through the cross-reference table (a font file may hold any bytes,
 * "endobj" too): its dictionary as text and its stream, inflated when it is Flate-compressed.
 */
function pdfObjects(pdf: Buffer): Map<number, PdfObject> {
  const raw = pdf.toString('latin1');
  const xrefAt = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(raw)![1]);
  const table = /^xref\s+0 \d+\s+([\s\S]*?)trailer/.exec(raw.slice(xrefAt))![1];
  const entries = [...table.matchAll(/(\d{10}) \d{5} ([nf])/g)].map((e, id) => ({
    id,
    offset: Number(e[1]),
    used: e[2] === 'n',
  }));
  const inUse = entries.filter((e) => e.used).sort((a, b) => a.offset - b.offset);
  const objects = new Map<number, PdfObject>();
  inUse.forEach(({ id, offset }, i) => {
    const text = raw.slice(offset, inUse[i + 1]?.offset ?? xrefAt);
    const keyword = /\bstream\r?\n/.exec(text);
    if (!keyword) {
      objects.set(id, { dict: text });
      return;
    }
    const dict = text.slice(0, keyword.index);
    const start = offset + keyword.index + keyword[0].length;
    const data = pdf.subarray(start, start + Number(/\/Length (\d+)/.exec(dict)![1]));
    objects.set(id, { dict, stream: dict.includes('/FlateDecode') ? inflateSync(data) : data });
  });
  return objects;
}

const utf16be = (hex: string): string => Buffer.from(hex.replace(/\s/g, ''), 'hex').swap16().toString('utf16le');

/**
 * The ToUnicode CMap of an embedded font as pdfkit writes it: ranges of 2-byte glyph codes, each with an array of
 * UTF-16BE texts (`<0000> <0025> [<0000> <0056> …]`).
 */
function toUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const range of cmap.matchAll(/<([0-9a-f]{4})>\s*<[0-9a-f]{4}>\s*\[([^\]]*)\]/gi)) {
    [...range[2].matchAll(/<([0-9a-f\s]*)>/gi)].forEach((target, i) =>
      map.set(parseInt(range[1], 16) + i, utf16be(target[1])),
    );
  }
  return map;
}

/**
 * The fonts of the pages by resource name: an embedded font (Identity-H) with its ToUnicode map, or null for a
 * standard font, whose strings are Windows-1252 bytes.
 */
function pageFonts(objects: Map<number, PdfObject>): Map<string, Map<number, string> | null> {
  const fonts = new Map<string, Map<number, string> | null>();
  for (const { dict } of objects.values()) {
    for (const resources of dict.matchAll(/\/Font\s*<<([^>]*)>>/g)) {
      for (const [, name, ref] of resources[1].matchAll(/\/(\S+)\s+(\d+) 0 R/g)) {
        const cmapRef = /\/ToUnicode (\d+) 0 R/.exec(objects.get(Number(ref))!.dict)?.[1];
        fonts.set(name, cmapRef ? toUnicode(objects.get(Number(cmapRef))!.stream!.toString('latin1')) : null);
      }
    }
  }
  return fonts;
}

/** A hex string in the current font: 2-byte glyph codes through the ToUnicode map, or Windows-1252 bytes. */
function decodeHex(hex: string, cmap: Map<number, string> | null): string {
  const bytes = Buffer.from(hex, 'hex');
  if (!cmap) return decodeWindows1252(bytes); // a standard font: WinAnsi
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) out += cmap.get(bytes.readUInt16BE(i)) ?? '\uFFFD';
  return out;
}

/**
 * The text of a PDF as pdfkit writes it: the content stream of every page in order, the hex strings of each TJ
 * operator decoded in the font the last Tf chose; one line per operator. Enough to read a receipt back.
 */
export function pdfText(pdf: Buffer): string {
  const objects = pdfObjects(pdf);
  const fonts = pageFonts(objects);
  const pagesDict = [...objects.values()].find((o) => /\/Type \/Pages\b/.test(o.dict))!.dict;
  const lines: string[] = [];
  for (const [, page] of /\/Kids \[([^\]]*)\]/.exec(pagesDict)![1].matchAll(/(\d+) 0 R/g)) {
    const contents = Number(/\/Contents (\d+) 0 R/.exec(objects.get(Number(page))!.dict)![1]);
    let cmap: Map<number, string> | null = null;
    for (const [, font, strings] of objects
      .get(contents)!
      .stream!.toString('latin1')
      .matchAll(/\/(\S+)\s+[\d.]+\s+Tf|\[([^\]]*)\]\s*TJ/g)) {
      if (font === undefined)
        lines.push([...strings.matchAll(/<([0-9a-fA-F]*)>/g)].map((s) => decodeHex(s[1], cmap)).join(''));
      else if (fonts.has(font)) cmap = fonts.get(font)!;
      else throw new Error(`font /${font} is not in the page resources`);
    }
  }
  return lines.join('\n');
}
