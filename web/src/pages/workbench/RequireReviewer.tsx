/**
 * The workbench's pages need a reviewer's session; without one they send the user to sign in. The sign-in page
 * returns to the page asked for (`state.from`) when the session expired (a 401) or nobody had signed in yet (a link
 * opened from elsewhere), but not after an explicit sign-out: the next person may be of another department, and the
 * case the last reviewer left open is not theirs (its page answers 404). They start at their own queue.
 */
import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../../session';

export function RequireReviewer() {
  const { claims, ended } = useSession();
  const location = useLocation();
  if (!claims || claims.role !== 'reviewer' || !claims.department) {
    const from = ended === 'signed_out' ? undefined : location.pathname + location.search;
    return <Navigate to="/workbench/sign-in" replace state={from ? { from } : null} />;
  }
  return <Outlet />;
}
