import 'express-session';

declare module 'express-session' {
  interface SessionData {
    /** Shown once on the dossier page after an employer action (PRG). */
    dossierNotice?: string;
  }
}
