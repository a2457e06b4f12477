import 'express-session';

/** Who is making the request and for whom they act; loaded once per request from the session. */
export interface AuthContext {
  person: { id: number; insz: string; firstName: string; lastName: string; email: string | null };
  /** The organisation chosen after login; null while acting as a natural person or before choosing. */
  organisation: { id: number; kbo: string; name: string } | null;
  isLocalAdmin: boolean;
  hasVovRight: boolean;
}

declare module 'express-session' {
  interface SessionData {
    personId?: number;
    /** null: the person chose to act in their own name. */
    organisationId?: number | null;
    createdAt?: number;
    lastSeenAt?: number;
    /** Set on the fresh session after a time-out so the next page can say why. */
    expiredNotice?: boolean;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      auth?: AuthContext;
      cspNonce?: string;
    }
  }
}
