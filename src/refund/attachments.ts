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
  if (data.length >= 8 && data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.length >= 3 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff) return 'image/jpeg';
  return null;
}

/** Only the last path part of what the browser sent (old browsers send "C:\\map\\attest.pdf"), without control characters. */
export function safeFilename(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = base.replace(/[\u0000-\u001f\u007f"]/g, '').trim().slice(0, 200);
  return clean === '' || clean === '.' || clean === '..' ? 'bijlage' : clean;
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
  if (file.data.length === 0) return { ok: false, kind, message: `Het bestand voor het ${label} is leeg. Kies een ander bestand.` };
  if (file.data.length > MAX_UPLOAD_BYTES) return { ok: false, kind, message: `Het bestand voor het ${label} is groter dan 10 MB. Kies een kleiner bestand.` };
  const contentType = sniffContentType(file.data);
  if (!contentType) return { ok: false, kind, message: `Het bestand voor het ${label} moet een PDF, PNG of JPEG zijn. Kies een ander bestand.` };
  return {
    ok: true,
    upload: { kind, filename: safeFilename(file.filename), contentType, data: file.data, sha256: createHash('sha256').update(file.data).digest('hex') },
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
