import { inflateSync } from 'node:zlib';

// Windows-1252 by hand: 0x80–0x9F differ from Latin-1 (€, quotes, dashes), and Node's TextDecoder here drops some.
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
const winAnsi = {
  decode: (bytes: Buffer): string => [...bytes].map((b) => (b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b))).join(''),
};

function decodePdfString(token: string): string {
  if (token.startsWith('<')) return winAnsi.decode(Buffer.from(token.slice(1, -1), 'hex'));
  // A literal string: ( … ) with backslash escapes.
  const body = token.slice(1, -1).replace(/\\([nrtbf()\\]|[0-7]{1,3})/g, (_m, e: string) => {
    const map: Record<string, string> = { n: '\n', r: '\r', t: '\t', b: '\b', f: '\f', '(': '(', ')': ')', '\\': '\\' };
    return map[e] ?? String.fromCharCode(parseInt(e, 8));
  });
  return winAnsi.decode(Buffer.from(body, 'latin1'));
}

/**
 * The text of a PDF as pdfkit writes it (standard fonts, WinAnsi): every content stream inflated, and the
 * strings of each Tj/TJ operator joined; one line per text operator. Enough to read a receipt back.
 */
export function pdfText(pdf: Buffer): string {
  const raw = pdf.toString('latin1');
  const lines: string[] = [];
  const streamStart = /stream\r?\n/g;
  let m: RegExpExecArray | null;
  while ((m = streamStart.exec(raw))) {
    const start = m.index + m[0].length;
    const end = raw.indexOf('endstream', start);
    let content: string;
    try {
      content = inflateSync(pdf.subarray(start, end)).toString('latin1');
    } catch {
      continue; // not a Flate content stream (fonts, images)
    }
    for (const op of content.matchAll(/\[((?:<[0-9a-fA-F]*>|\((?:\\.|[^\\)])*\)|[^\]])*)\]\s*TJ|(<[0-9a-fA-F]*>|\((?:\\.|[^\\)])*\))\s*Tj/g)) {
      const parts = op[1] !== undefined ? [...op[1].matchAll(/<[0-9a-fA-F]*>|\((?:\\.|[^\\)])*\)/g)].map((p) => p[0]) : [op[2]];
      lines.push(parts.map(decodePdfString).join(''));
    }
  }
  return lines.join('\n');
}
