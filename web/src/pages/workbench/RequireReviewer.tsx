/** The workbench's pages need a reviewer's session; without one they send the user to sign in (and back after). */
import { Navigate, Outlet, useLocation } from 'react-router';
import { useSession } from '../../session';

export function RequireReviewer() {
  const { claims } = useSession();
  const location = useLocation();
  if (!claims || claims.role !== 'reviewer' || !claims.department) {
    return <Navigate to="/workbench/sign-in" replace state={{ from: location.pathname + location.search }} />;
  }
  return <Outlet />;
}
