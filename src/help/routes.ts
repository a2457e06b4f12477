import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { trainingTypeLabels } from '../domain/training.js';
import { MAX_UPLOAD_BYTES } from '../http/multipart.js';
import { MAX_FILE_BYTES, MAX_ROWS } from '../bulk/parser.js';
import { formatCount } from '../domain/money.js';
import { paths } from '../paths.js';
import { faqFacts } from './faq.js';
import '../http/types.js';
import type { Services } from '../services.js';

/** The request id an error page shows (a UUID, see http/logger.ts); anything else is ignored, never echoed. */
const referenceSchema = z.uuid();

export function referenceFrom(query: unknown): string | null {
  const parsed = referenceSchema.safeParse(query);
  return parsed.success ? parsed.data.toLowerCase() : null;
}

/** The help pages: public, the same for anyone, in the portal layout (which shows who is logged in, if anyone). */
/** The FAQ's amounts and deadlines come from the same rules data the refund form uses. */
export function helpRoutes(deps: Pick<Services, 'rules' | 'now'>): Router {
  const router = Router();
  const { rules } = deps;

  // The CSV upload's limits, as its parser enforces them.
  const bulkLimits = { rows: formatCount(MAX_ROWS), megabytes: MAX_FILE_BYTES / (1024 * 1024) };
  const render = (req: Request, res: Response, view: string, locals: Record<string, unknown> = {}) => {
    // The layout shows the person and organisation of a logged-in user: never keep such a page in a cache.
    if (req.auth) res.setHeader('Cache-Control', 'no-store');
    res.render(view, { access: rules.access, contact: rules.contact, bulkLimits, ...locals });
  };

  router.get(paths.help, (req, res) => {
    const facts = faqFacts(rules, deps.now());
    render(req, res, 'help/hulp.njk', {
      trainingTypeList: facts.trainingTypeList,
      window: facts.window,
      maxUploadMb: Math.floor(MAX_UPLOAD_BYTES / (1024 * 1024)),
    });
  });
  router.get(paths.helpAdmin, (req, res) => {
    render(req, res, 'help/lokale-beheerders.njk');
  });
  router.get(paths.faq, (req, res) => {
    render(req, res, 'help/veelgestelde-vragen.njk', {
      facts: faqFacts(rules, deps.now()),
      typeLabels: trainingTypeLabels,
    });
  });
  router.get(paths.contact, (req, res) => {
    render(req, res, 'help/contact.njk', { reference: referenceFrom(req.query.referentie) });
  });
  return router;
}
