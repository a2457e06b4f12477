import type { Config } from '../config.js';
import { mailLink, type DeferredMail } from '../mail/outbox.js';
import type { ReceiptModel } from './receipt.js';

export interface RefundMailer {
  /** To the person who pressed Bevestigen: the receipt with a link to it in the portal. */
  employerReceipt(to: string, receipt: ReceiptModel, receiptPath: string): DeferredMail;
  /** To the employee (their copy): the receipt without portal links; the INSZ masked as everywhere. */
  employeeReceipt(to: string, receipt: ReceiptModel): DeferredMail;
}

/**
 * The two ontvangstbevestiging mails (views/refund/mail/*.njk), queued with the receipt's data and rendered by
 * the mail worker: Bevestigen writes them in its one statement, and a burst of submissions does not wait for
 * four templates per dossier.
 */
export function createRefundMailer(config: Config): RefundMailer {
  return {
    employerReceipt: (to, receipt, receiptPath) => ({
      to,
      subject: `Ontvangstbevestiging ${receipt.dossiernummer}: aanvraag Vlaams opleidingsverlof`,
      kind: 'refund-receipt-employer',
      template: 'refund/mail/receipt-employer',
      data: { receipt, link: mailLink(config.publicUrl, receiptPath) },
    }),
    employeeReceipt: (to, receipt) => ({
      to,
      subject: `Uw werkgever vroeg Vlaams opleidingsverlof aan (${receipt.dossiernummer})`,
      kind: 'refund-receipt-employee',
      template: 'refund/mail/receipt-employee',
      data: { receipt },
    }),
  };
}
