import { paths } from '../paths.js';

/** The pages of one upload, all under /meerdere-aanvragen/<id>. */
export const uploadPath = (id: number) => `${paths.bulk}/${id}`;
export const invalidRowsCsvPath = (id: number) => `${uploadPath(id)}/fouten.csv`;
export const confirmPath = (id: number) => `${uploadPath(id)}/bevestigen`;
export const discardPath = (id: number) => `${uploadPath(id)}/verwijderen`;
export const bulkReceiptPath = (id: number) => `${uploadPath(id)}/ontvangstbevestiging`;
export const bulkReceiptPdfPath = (id: number) => `${uploadPath(id)}/ontvangstbevestiging.pdf`;
export const bulkReceiptCsvPath = (id: number) => `${uploadPath(id)}/dossiers.csv`;
