import 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** What single logout needs to name the session at the IdP. */
    saml?: { nameID: string; nameIDFormat: string; sessionIndex?: string };
  }
}
