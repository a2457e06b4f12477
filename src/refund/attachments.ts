import { createHash } from 'node:crypto';
import type { UploadedFile } from '../http/multipart.js';
import { MAX_UPLOAD_BYTES } from '../http/multipart.js';

/** The documents the Bijlagen step takes; the form field name equals the kind. */
export const ATTACHMENT_KINDS = ['inschrijvingsattest', 'loopbaanattest'] as const;
export type AttachmentKind = (typeof ATTACHMENT_KINDS)[number];

/** The Bijlagen step's kinds, and 'aanvulling': a file sent with an answer to the back office (src/decisions). */
export type UploadKind = AttachmentKind | 'aanvulling';

export const ATTACHMENT_LABELS: Record<UploadKind, string> = {
  inschrijvingsattest: 'Inschrijvingsattest',
  loopbaanattest: 'Attest van loopbaanbegeleiding',
  aanvulling: 'Antwoord',
};

export type AllowedContentType = 'application/pdf' | 'image/png' | 'image/jpeg';

/**
 * The file type from its first bytes, never from its name or the browser's declared type:
 * a renamed executable must not pass as a PDF.
 */
export function sniffContentType(data: Buffer): AllowedContentType | null {
  if (data.length >= 5 && data.subarray(0, 5).toString('latin1') === '%PDF-') return 'application/pdf';
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  return null;
}

/** The extension a stored attachment gets: from its detected content, never from the name it came with. */
export const EXTENSION_OF: Record<AllowedContentType, string> = {
  'application/pdf': '.pdf',
  'image/png': '.png',
  'image/jpeg': '.jpg',
};

/** Characters a name keeps at most, before the extension. */
export const MAX_NAME_LENGTH = 100;

/**
 * Invisible characters that make a name read as something else: control characters (Cc), format characters
 * (Cf: bidirectional overrides such as U+202E that show "fdp.exe" as "exe.pdf", zero-width characters) and
 * line and paragraph separators; and the characters Windows refuses in names.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}<>:"|?*]/gu;

/**
 * A safe name for a file a user uploaded: the last path part (old browsers send "C:\\map\\attest.pdf"),
 * without invisible or reserved characters, at most MAX_NAME_LENGTH characters, and with `contentType` the
 * extension of that type in place of the one it came with. Also applied when serving, so older rows are safe too.
 */
export function safeFilename(raw: string, contentType?: AllowedContentType): string {
  const base = (raw.split(/[/\\]/).pop() ?? '').normalize('NFC').replace(UNSAFE, '');
  const stem = contentType ? base.replace(/\.[^.]*$/, '') : base;
  const capped = Array.from(stem.trim())
    .slice(0, MAX_NAME_LENGTH)
    .join('')
    .replace(/^[.\s]+|[.\s]+$/g, '');
  return (capped || 'bijlage') + (contentType ? EXTENSION_OF[contentType] : '');
}

export interface CheckedUpload {
  kind: UploadKind;
  filename: string;
  contentType: AllowedContentType;
  data: Buffer;
  sha256: string;
}

export type UploadCheck = { ok: true; upload: CheckedUpload } | { ok: false; kind: UploadKind; message: string };

/** Checks one uploaded file of a known kind; the messages say what to do. */
export function checkUpload(kind: UploadKind, file: UploadedFile): UploadCheck {
  const label = ATTACHMENT_LABELS[kind].toLowerCase();
  if (file.data.length === 0)
    return { ok: false, kind, message: `Het bestand voor het ${label} is leeg. Kies een ander bestand.` };
  if (file.data.length > MAX_UPLOAD_BYTES)
    return { ok: false, kind, message: `Het bestand voor het ${label} is groter dan 10 MB. Kies een kleiner bestand.` };
  const contentType = sniffContentType(file.data);
  if (!contentType)
    return {
      ok: false,
      kind,
      message: `Het bestand voor het ${label} moet een PDF, PNG of JPEG zijn. Kies een ander bestand.`,
    };
  return {
    ok: true,
    upload: {
      kind,
      filename: safeFilename(file.filename, contentType),
      contentType,
      data: file.data,
      sha256: createHash('sha256').update(file.data).digest('hex'),
    },
  };
}

export function isAttachmentKind(value: string): value is AttachmentKind {
  return (ATTACHMENT_KINDS as readonly string[]).includes(value);
}

/** "12 kB", "3,4 MB": the size as a person reads it. */
export function formatFileSize(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(1).replace('.', ',')} MB`;
}
