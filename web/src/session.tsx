/**
 * Who is signed in: a bearer token, held in memory and in sessionStorage (this tab only, gone when it closes), never
 * in localStorage and never logged. In development the sign-in page mints it (POST /api/v1/dev/token); in production
 * it is the token of the city's identity system (docs/frontend.md). The claims are read (not verified: the API
 * verifies every request) to show who is signed in and to pick the pages for the role.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { setApiToken, setUnauthorizedHandler, type Schemas } from './api/client';

export type Department = Schemas['Department'];
export interface Claims {
  sub: string;
  role: 'portal' | 'reviewer' | 'ops';
  department?: Department;
  exp?: number;
}

/**
 * Why there is no session: `expired` when the API answered 401 (the sign-in page says so, and signing in again returns
 * to the page the user was on); `signed_out` after the sign-out button (the next person, maybe of another department,
 * starts at their own queue, never at the page the last one left open); null when nobody has signed in in this tab.
 */
export type SessionEnd = 'expired' | 'signed_out' | null;

interface Session {
  token: string | null;
  claims: Claims | null;
  ended: SessionEnd;
  /** The session ended by a 401: the sign-in page says so. */
  expired: boolean;
  signIn: (token: string) => Claims | null;
  signOut: () => void;
}

const STORAGE_KEY = 'onestop.session';
const SessionContext = createContext<Session | null>(null);

/** The JWT's payload, or null when it is not a JWT with a known role (or has expired). */
export function readClaims(token: string): Claims | null {
  const part = token.split('.')[1];
  if (!part) return null;
  try {
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/').padEnd(Math.ceil(part.length / 4) * 4, '='));
    const c = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (ch) => ch.charCodeAt(0)))) as Partial<Claims>;
    if (typeof c.sub !== 'string' || !['portal', 'reviewer', 'ops'].includes(c.role ?? '')) return null;
    if (typeof c.exp === 'number' && c.exp * 1000 < Date.now()) return null;
    return c as Claims;
  } catch {
    return null;
  }
}

function stored(): { token: string; claims: Claims } | null {
  try {
    const token = sessionStorage.getItem(STORAGE_KEY);
    const claims = token ? readClaims(token) : null;
    return token && claims ? { token, claims } : null;
  } catch {
    return null;
  }
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<{ token: string; claims: Claims } | null>(() => {
    const s = stored();
    setApiToken(s?.token ?? null);
    return s;
  });
  const [ended, setEnded] = useState<SessionEnd>(null);

  const end = useCallback((why: Exclude<SessionEnd, null>) => {
    setApiToken(null);
    try {
      sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      /* storage off */
    }
    // Set with the cleared session, in the same render: the guard that redirects to the sign-in page reads both.
    setEnded(why);
    setState(null);
  }, []);
  const signOut = useCallback(() => end('signed_out'), [end]);

  const signIn = useCallback((token: string) => {
    const claims = readClaims(token.trim());
    if (!claims) return null;
    setApiToken(token.trim());
    try {
      sessionStorage.setItem(STORAGE_KEY, token.trim());
    } catch {
      /* storage off: memory only */
    }
    setEnded(null);
    setState({ token: token.trim(), claims });
    return claims;
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => end('expired'));
    return () => setUnauthorizedHandler(null);
  }, [end]);

  const value = useMemo<Session>(
    () => ({ token: state?.token ?? null, claims: state?.claims ?? null, ended, expired: ended === 'expired', signIn, signOut }),
    [state, ended, signIn, signOut],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const ctx = useContext(SessionContext);
  if (!ctx) throw new Error('useSession outside SessionProvider');
  return ctx;
}
