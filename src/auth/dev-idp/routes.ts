import { createHmac } from 'node:crypto';
import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config.js';
import { demoPeople } from '../../db/demo-people.js';
import { isValidInsz, normaliseInsz } from '../../domain/insz.js';
import { HttpError } from '../../http/errors.js';
import { noStore } from '../../http/security.js';
import { devIdpPaths } from '../../paths.js';
import { certificateBody, developmentKeyPair } from '../keys.js';
import { devIdpUrls } from '../saml-config.js';
import type { ServiceProvider } from '../saml-sp.js';
import { escapeXml, newId, buildSignedResponse, SAML_STATUS } from './saml-response.js';
import { BadSamlRequest, readAuthnRequest, readSignedRequest, type PendingAuthnRequest } from './authn-request.js';
import { redirectMessageFrom, signedRedirectUrl, type RedirectMessage } from './redirect-binding.js';
import { authnContextFor, digitalKeys, findDigitalKey, type DigitalKeyCode } from './digital-keys.js';
import { formActions } from '../../http/form-actions.js';

type FormError = { text: string; href: string };
interface Chosen {
  insz: string;
  firstName: string;
  lastName: string;
  email: string | null;
}

function idpMetadataXml(config: Config, certPem: string): string {
  const urls = devIdpUrls(config);
  const redirect = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="${escapeXml(urls.entityId)}">` +
    `<md:IDPSSODescriptor WantAuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">` +
    `<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>${certificateBody(certPem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>` +
    `<md:SingleLogoutService Binding="${redirect}" Location="${escapeXml(urls.slo)}"/>` +
    `<md:SingleSignOnService Binding="${redirect}" Location="${escapeXml(urls.sso)}"/>` +
    `</md:IDPSSODescriptor></md:EntityDescriptor>\n`
  );
}

/**
 * The development identity provider: a real SAML IdP inside the portal, for development and tests
 * only. The portal's SP talks to it exactly as to an external IdP (same checks, no bypass).
 */
export function devIdpRoutes(config: Config, sp: Pick<ServiceProvider, 'settings'>): Router {
  if (config.isProduction || !config.saml.useDevIdp)
    throw new Error('The development IdP is refused outside development and tests');
  const idpKeys = developmentKeyPair(config, 'dev-idp');
  const urls = devIdpUrls(config);
  const router = Router();

  const pending = async (
    source: Record<string, unknown>,
  ): Promise<{ message: RedirectMessage; request: PendingAuthnRequest }> => {
    const message = redirectMessageFrom(source);
    const settings = await sp.settings();
    if (!message) throw new HttpError(400, 'Deze aanmeldingsaanvraag is onvolledig. Begin opnieuw bij het WSE-loket.');
    try {
      return {
        message,
        request: readAuthnRequest(message, settings.sp.cert, {
          spEntityId: settings.sp.entityId,
          acsUrl: settings.sp.acsUrl,
        }),
      };
    } catch (err) {
      if (err instanceof BadSamlRequest)
        throw new HttpError(400, 'Deze aanmeldingsaanvraag is ongeldig. Begin opnieuw bij het WSE-loket.');
      throw err;
    }
  };

  const renderKeys = (res: Response, message: RedirectMessage, errors: FormError[] = []) =>
    res.status(errors.length ? 400 : 200).render('dev-idp/choose-key.njk', { message, keys: digitalKeys, errors });

  const renderPerson = (
    res: Response,
    message: RedirectMessage,
    key: DigitalKeyCode,
    values: Record<string, string> = {},
    errors: FormError[] = [],
  ) =>
    res
      .status(errors.length ? 400 : 200)
      .render('dev-idp/choose-person.njk', { message, key: findDigitalKey(key), people: demoPeople, values, errors });

  /** A stable pseudonym as NameID, so the INSZ travels only in its attribute (unless configured otherwise). */
  const nameIdFor = (insz: string) =>
    config.saml.inszFromNameId ? insz : createHmac('sha256', idpKeys.key).update(insz).digest('hex').slice(0, 40);

  const answer = async (
    res: Response,
    request: PendingAuthnRequest,
    outcome: { person: Chosen; key: DigitalKeyCode } | 'cancelled',
  ) => {
    const settings = await sp.settings();
    const names = config.saml.attributes;
    const common = {
      issuer: urls.entityId,
      destination: request.acsUrl,
      recipient: request.acsUrl,
      audience: settings.sp.entityId,
      inResponseTo: request.id,
      now: new Date(),
    };
    const xml =
      outcome === 'cancelled'
        ? buildSignedResponse(
            {
              ...common,
              nameId: '',
              attributes: {},
              status: {
                code: SAML_STATUS.responder,
                subCode: SAML_STATUS.authnFailed,
                message: 'De gebruiker heeft het aanmelden afgebroken.',
              },
            },
            idpKeys,
          )
        : buildSignedResponse(
            {
              ...common,
              nameId: nameIdFor(outcome.person.insz),
              nameIdFormat: config.saml.inszFromNameId
                ? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified'
                : undefined,
              authnContextClassRef: authnContextFor(outcome.key),
              sessionIndex: newId(),
              attributes: {
                [names.insz]: outcome.person.insz,
                [names.givenName]: outcome.person.firstName,
                [names.surname]: outcome.person.lastName,
                ...(outcome.person.email ? { [names.email]: outcome.person.email } : {}),
              },
            },
            idpKeys,
            { signResponse: true },
          );
    res.setHeader('Cache-Control', 'no-store');
    res.render('dev-idp/post-response.njk', {
      action: request.acsUrl,
      samlResponse: Buffer.from(xml, 'utf8').toString('base64'),
      relayState: request.relayState,
    });
  };

  router.get(devIdpPaths.metadata, (_req, res) => {
    res.type('application/samlmetadata+xml').send(idpMetadataXml(config, idpKeys.cert));
  });

  // Step 1: choose a digital key (a GET form: it changes nothing).
  router.get(devIdpPaths.sso, noStore, async (req, res, next) => {
    try {
      const { message } = await pending(req.query as Record<string, unknown>);
      const choice = req.query.sleutel;
      // The first visit shows the keys; "Volgende" (stap=sleutel) without a choice gets the message.
      if (choice === undefined && req.query.stap !== 'sleutel') return renderKeys(res, message);
      const key = findDigitalKey(choice);
      if (!key) return renderKeys(res, message, [{ text: 'Kies een digitale sleutel.', href: '#sleutel' }]);
      renderPerson(res, message, key.code);
    } catch (err) {
      next(err);
    }
  });

  // Step 2: who logs in (a demo person or someone new), or cancel.
  router.post(devIdpPaths.sso, noStore, async (req: Request, res, next) => {
    try {
      // A repeated field arrives as a list: only plain strings count (a list here was a 500 at .trim()).
      const body = Object.fromEntries(
        Object.entries((req.body ?? {}) as Record<string, unknown>).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : '',
        ]),
      ) as Record<string, string>;
      const { message, request } = await pending(body);
      if (body.actie === formActions.cancel) return await answer(res, request, 'cancelled');
      const key = findDigitalKey(body.sleutel);
      if (!key) return renderKeys(res, message, [{ text: 'Kies een digitale sleutel.', href: '#sleutel' }]);
      const demo = demoPeople.find((p) => p.key === body.persoon);
      if (demo) return await answer(res, request, { person: demo, key: key.code });
      if (body.persoon !== 'nieuw')
        return renderPerson(res, message, key.code, body, [
          { text: 'Kies met wie u zich aanmeldt.', href: '#persoon' },
        ]);
      const errors: FormError[] = [];
      const insz = normaliseInsz(body.insz ?? '');
      if (!insz || !isValidInsz(insz))
        errors.push({ text: 'Vul een geldig rijksregisternummer in, bijvoorbeeld 85.07.30-033.28.', href: '#insz' });
      const firstName = (body.voornaam ?? '').trim();
      const lastName = (body.achternaam ?? '').trim();
      if (!firstName) errors.push({ text: 'Vul een voornaam in.', href: '#voornaam' });
      if (!lastName) errors.push({ text: 'Vul een achternaam in.', href: '#achternaam' });
      const email = (body.email ?? '').trim();
      if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
        errors.push({ text: 'Vul een geldig e-mailadres in, of laat het leeg.', href: '#email' });
      if (errors.length) return renderPerson(res, message, key.code, body, errors);
      await answer(res, request, { person: { insz: insz!, firstName, lastName, email: email || null }, key: key.code });
    } catch (err) {
      next(err);
    }
  });

  // Single logout: confirm the SP's signed LogoutRequest with a signed LogoutResponse.
  router.get(devIdpPaths.slo, noStore, async (req, res, next) => {
    try {
      const settings = await sp.settings();
      const message = redirectMessageFrom(req.query as Record<string, unknown>);
      let requestId: string;
      try {
        if (!message) throw new BadSamlRequest('incomplete');
        requestId = readSignedRequest(message, settings.sp.cert, 'LogoutRequest', settings.sp.entityId).id;
      } catch {
        throw new HttpError(400, 'Deze afmeldingsaanvraag is ongeldig.');
      }
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const xml =
        `<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${now}" Destination="${escapeXml(settings.sp.sloUrl)}" InResponseTo="${escapeXml(requestId)}">` +
        `<saml:Issuer>${escapeXml(urls.entityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="${SAML_STATUS.success}"/></samlp:Status></samlp:LogoutResponse>`;
      res.redirect(303, signedRedirectUrl(settings.sp.sloUrl, 'SAMLResponse', xml, message.RelayState, idpKeys.key));
    } catch (err) {
      next(err);
    }
  });

  return router;
}
