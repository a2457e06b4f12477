import { join } from 'node:path';
import nunjucks from 'nunjucks';
import type { Config } from '../config.js';
import { mailLink, type OutgoingMail } from '../mail/outbox.js';
import { PROJECT_ROOT } from '../root.js';
import type { ReceiptModel } from './receipt.js';

export interface RefundMailer {
  /** To the person who pressed Bevestigen: the receipt with a link to it in the portal. */
  employerReceipt(to: string, receipt: ReceiptModel, receiptPath: string): OutgoingMail;
  /** To the employee (their copy): the receipt without portal links; the INSZ masked as everywhere. */
  employeeReceipt(to: string, receipt: ReceiptModel): OutgoingMail;
}

/**
 * The two ontvangstbevestiging mails (views/refund/mail/*.njk): the HTML part autoescaped like every page,
 * the text part not (a name with "&" stays "&").
 */
export function createRefundMailer(config: Config, viewsDir = join(PROJECT_ROOT, 'views')): RefundMailer {
  const loader = () => new nunjucks.FileSystemLoader(viewsDir, { noCache: config.env === 'development' });
  const html = new nunjucks.Environment(loader(), { autoescape: true, trimBlocks: true, lstripBlocks: true });
  const text = new nunjucks.Environment(loader(), { autoescape: false, trimBlocks: true, lstripBlocks: true });
  const compose = (template: string, kind: string, to: string, subject: string, data: object): OutgoingMail => {
    const context = { ...data, subject };
    return {
      to,
      subject,
      kind,
      text: `${text.render(`refund/mail/${template}.txt.njk`, context).trim().replace(/\n{3,}/g, '\n\n')}\n`,
      html: html.render(`refund/mail/${template}.html.njk`, context),
    };
  };
  return {
    employerReceipt: (to, receipt, receiptPath) =>
      compose('receipt-employer', 'refund-receipt-employer', to, `Ontvangstbevestiging ${receipt.dossiernummer}: aanvraag Vlaams opleidingsverlof`, {
        receipt,
        link: mailLink(config.publicUrl, receiptPath),
      }),
    employeeReceipt: (to, receipt) =>
      compose('receipt-employee', 'refund-receipt-employee', to, `Uw werkgever vroeg Vlaams opleidingsverlof aan (${receipt.dossiernummer})`, { receipt }),
  };
}
