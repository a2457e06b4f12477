import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const open = (pdf: Buffer) => getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, verbosity: 0 }).promise;

/**
 * The text of a PDF as a reader sees it, page after page, read by pdf.js (Mozilla's PDF reader; the legacy build
 * runs on Node without a canvas). Spaces between words are normalised to one, so tests compare sentences.
 */
export async function pdfText(pdf: Buffer): Promise<string> {
  const document = await open(pdf);
  try {
    const pages: string[] = [];
    for (let n = 1; n <= document.numPages; n++) {
      // Not normalised: a test must see the letters as drawn (composed or not).
      const content = await (await document.getPage(n)).getTextContent({ disableNormalization: true });
      pages.push(content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : ' ') : '')).join(''));
    }
    return pages.join('\n').replace(/[ \t]+/g, ' ');
  } finally {
    await document.destroy();
  }
}

/** How many pages a PDF has. */
export async function pdfPageCount(pdf: Buffer): Promise<number> {
  const document = await open(pdf);
  const count = document.numPages;
  await document.destroy();
  return count;
}
