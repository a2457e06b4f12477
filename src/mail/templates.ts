import { join } from 'node:path';
import nunjucks from 'nunjucks';
import type { Config } from '../config.js';
import { PROJECT_ROOT } from '../root.js';
import { registerHelpGlobals } from '../help/anchors.js';
import { mailLink, type OutgoingMail } from './outbox.js';
import type { OutboxRow } from './repository.js';

/** The values every template of a kind needs; one entry per template pair views/mail/<kind>.txt.njk + .html.njk. */
export interface MailTemplateData {
  'right-requested': {
    adminName: string;
    requesterName: string;
    organisationName: string;
    kbo: string;
    role: string;
    context: string;
    requestedAt: string;
    link: string;
  };
  'right-granted': {
    requesterName: string;
    organisationName: string;
    kbo: string;
    role: string;
    context: string;
    validUntil: string | null;
    link: string;
  };
  'right-refused': {
    requesterName: string;
    organisationName: string;
    kbo: string;
    role: string;
    context: string;
    requestedAt: string;
    reason: string;
    link: string;
  };
}

export type MailKind = keyof MailTemplateData;

export interface MailComposer {
  compose<K extends MailKind>(kind: K, to: string, subject: string, data: MailTemplateData[K]): OutgoingMail;
  /** An absolute link from PUBLIC_URL. */
  link(path: string): string;
}

export type MailRenderer = (template: string, kind: string, to: string, subject: string, data: object) => OutgoingMail;

/**
 * Renders a Dutch mail from a template pair `<template>.txt.njk` + `<template>.html.njk` under views/.
 * The HTML part is autoescaped like every page; the text part is plain text and must not be (a name with
 * "&" stays "&"). Callers never pass a full INSZ.
 */
export function createMailRenderer(config: Config, viewsDir = join(PROJECT_ROOT, 'views')): MailRenderer {
  const loader = () => new nunjucks.FileSystemLoader(viewsDir, { noCache: config.env === 'development' });
  const html = new nunjucks.Environment(loader(), { autoescape: true, trimBlocks: true, lstripBlocks: true });
  const text = new nunjucks.Environment(loader(), { autoescape: false, trimBlocks: true, lstripBlocks: true });
  for (const env of [html, text]) {
    registerHelpGlobals(env);
    // Absolute links in mails: `{{ absolute(helpLink('…')) }}`.
    env.addGlobal('absolute', (path: string) => mailLink(config.publicUrl, path));
  }
  return (template, kind, to, subject, data) => {
    const context = { ...data, subject };
    return {
      to,
      subject,
      kind,
      text: `${text
        .render(`${template}.txt.njk`, context)
        .trim()
        .replace(/\n{3,}/g, '\n\n')}\n`,
      html: html.render(`${template}.html.njk`, context),
    };
  };
}

/** An outbox row's bodies: as stored, or rendered now from its template and data (a deferred mail). */
export function outboxBodies(render: MailRenderer, mail: OutboxRow): { text: string; html: string } {
  if (mail.text_body !== null && mail.html_body !== null) return { text: mail.text_body, html: mail.html_body };
  if (mail.template === null || mail.data === null)
    throw new Error(`outbox mail ${mail.id} has neither bodies nor a template`);
  const { text, html } = render(mail.template, mail.kind, mail.to_address, mail.subject, mail.data);
  return { text, html };
}

/** The mails of the rights capability (views/mail/<kind>.*.njk). */
export function createMailComposer(config: Config, viewsDir = join(PROJECT_ROOT, 'views')): MailComposer {
  const render = createMailRenderer(config, viewsDir);
  return {
    compose: (kind, to, subject, data) => render(`mail/${kind}`, kind, to, subject, data),
    link: (path) => mailLink(config.publicUrl, path),
  };
}
