/**
 * The applicant's tracking session: the case number and its access code, kept in sessionStorage (this tab only, gone
 * when it closes), never in the URL, localStorage or a log. The tracking page writes it after a successful look-up;
 * the certificate print view reads it to open the applicant's certificates.
 */
const STORAGE_KEY = 'onestop.tracking';

export interface TrackingSession {
  caseNo: string;
  accessCode: string;
}

export function readTrackingSession(): TrackingSession | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Partial<TrackingSession>;
    return typeof s.caseNo === 'string' && typeof s.accessCode === 'string' ? { caseNo: s.caseNo, accessCode: s.accessCode } : null;
  } catch {
    return null;
  }
}

export function saveTrackingSession(s: TrackingSession): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(s));
  } catch {
    /* storage off: the page keeps it in memory */
  }
}

export function clearTrackingSession(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage off */
  }
}

/** The API's case-number shape (api/routes/cases.ts caseNoParam). */
export const CASE_NO = /^[A-Z]{2}-[A-Z0-9]+-\d{8}-\d{6}$/;
/** The access code as typed: 10 of the receipt's letters and digits, spaces and hyphens between groups allowed. */
export const normaliseAccessCode = (typed: string): string => typed.replace(/[\s-]/g, '').toUpperCase();
export const ACCESS_CODE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{10}$/;

/** The verification code at the end of a verifyPath (`/api/v1/certificates/verify/<code>`). */
export function codeOfVerifyPath(verifyPath: string): string | null {
  const m = /\/verify\/([A-Za-z0-9]{16,32})$/.exec(verifyPath);
  return m ? m[1]! : null;
}
