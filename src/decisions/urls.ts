import { receiptPath } from '../refund/urls.js';

/** An employer action's page of a dossier: /mijn-dossiers/<nummer>/annuleren, …/stopzetting, …/aanvulling. */
export function actionPath(dossiernummer: string, slug: string): string {
  return `${receiptPath(dossiernummer)}/${slug}`;
}
