import { paths } from '../paths.js';

/** A saved draft's id, or 'nieuw' for a request whose first step is not saved yet. */
export type DraftRef = number | 'nieuw';

export const NEW_DRAFT = 'nieuw' as const;

export function stepPath(draft: DraftRef, slug: string, options: { backToOverview?: boolean } = {}): string {
  return `${paths.refund}/${draft}/${slug}${options.backToOverview ? '?terug=overzicht' : ''}`;
}

export function draftPath(draftId: number): string {
  return `${paths.refund}/${draftId}`;
}

export function deleteDraftPath(draftId: number): string {
  return `${paths.refund}/${draftId}/verwijderen`;
}

export function attachmentPath(draftId: number, attachmentId: number): string {
  return `${paths.refund}/${draftId}/bijlagen/${attachmentId}`;
}

export function removeAttachmentPath(draftId: number, attachmentId: number): string {
  return `${attachmentPath(draftId, attachmentId)}/verwijderen`;
}

export function receiptPath(dossiernummer: string): string {
  return `${paths.dossiers}/${dossiernummer}`;
}

export function receiptPdfPath(dossiernummer: string): string {
  return `${receiptPath(dossiernummer)}/ontvangstbevestiging.pdf`;
}
