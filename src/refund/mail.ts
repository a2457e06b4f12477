import { join } from 'node:path';
import type { Config } from '../config.js';
import { mailLink, type OutgoingMail } from '../mail/outbox.js';
import { createMailRenderer } from '../mail/templates.js';
import { PROJECT_ROOT } from '../root.js';
import type { ReceiptModel } from './receipt.js';

export interface RefundMailer {
  /** To the person who pressed Bevestigen: the receipt with a link to it in the portal. */
  employerReceipt(to: string, receipt: ReceiptModel, receiptPath: string): OutgoingMail;
  /** To the employee (their copy): the receipt without portal links; the INSZ masked as everywhere. */
  employeeReceipt(to: string, receipt: ReceiptModel): OutgoingMail;
}

/** The two ontvangstbevestiging mails (views/refund/mail/*.njk). */
export function createRefundMailer(config: Config, viewsDir = join(PROJECT_ROOT, 'views')): RefundMailer {
  const render = createMailRenderer(config, viewsDir);
  return {
    employerReceipt: (to, receipt, receiptPath) =>
      render('refund/mail/receipt-employer', 'refund-receipt-employer', to, `Ontvangstbevestiging ${receipt.dossiernummer}: aanvraag Vlaams opleidingsverlof`, {
        receipt,
        link: mailLink(config.publicUrl, receiptPath),
      }),
    employeeReceipt: (to, receipt) =>
      render('refund/mail/receipt-employee', 'refund-receipt-employee', to, `Uw werkgever vroeg Vlaams opleidingsverlof aan (${receipt.dossiernummer})`, { receipt }),
  };
}
