/** Loading and error states, the same on every page: announced to screen readers, with a retry where it helps. */
import { Alert, Button, Spin } from 'antd';
import { useEffect } from 'react';
import { ApiFailure } from '../api/client';
import { useT } from '../i18n';

export function Loading({ label }: { label?: string }) {
  const t = useT();
  return (
    <div role="status" aria-live="polite" style={{ padding: 48, textAlign: 'center' }}>
      <Spin aria-hidden />
      <span style={{ marginLeft: 8 }}>{label ?? (t('app.title') + '…')}</span>
    </div>
  );
}

/** The text for an error from `unwrap` (the API's message) or anything else. */
export function useErrorText(): (err: unknown) => string {
  const t = useT();
  return (err) => {
    if (err instanceof ApiFailure) {
      if (err.code === 'network') return t('error.network');
      if (err.status === 401) return t('error.unauthorized');
      return t('error.generic', { message: err.message });
    }
    return t('error.generic', { message: err instanceof Error ? err.message : String(err) });
  };
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const t = useT();
  const text = useErrorText();
  return (
    <Alert
      type="error"
      role="alert"
      showIcon
      message={text(error)}
      action={
        onRetry && (
          <Button size="small" onClick={onRetry}>
            {t('action.retry')}
          </Button>
        )
      }
    />
  );
}

/** Sets the document title (what a screen reader announces on navigation, and the tab's label). */
export function usePageTitle(title: string): void {
  const t = useT();
  useEffect(() => {
    document.title = `${title} · ${t('app.title')}`;
  }, [title, t]);
}
