/** The API's settings for the pages (GET /api/v1/ui-config): the Temporal UI's address, dev sign-in. Fetched once. */
import { useEffect, useState } from 'react';
import { api, unwrap, type Schemas } from './api/client';

let cached: Promise<Schemas['UiConfig']> | null = null;

export function loadUiConfig(): Promise<Schemas['UiConfig']> {
  cached ??= unwrap(api.GET('/api/v1/ui-config')).catch((err: unknown) => {
    cached = null;
    throw err;
  });
  return cached;
}

export function useUiConfig(): { config: Schemas['UiConfig'] | null; loading: boolean } {
  const [config, setConfig] = useState<Schemas['UiConfig'] | null>(null);
  const [loading, setLoading] = useState(true);
  useEffect(() => {
    let live = true;
    loadUiConfig().then(
      (c) => live && (setConfig(c), setLoading(false)),
      () => live && setLoading(false),
    );
    return () => {
      live = false;
    };
  }, []);
  return { config, loading };
}

/** The Temporal UI page of one case's workflow (its id is the case number), or null when the UI is not known. */
export function temporalWorkflowUrl(config: Schemas['UiConfig'] | null, caseNo: string): string | null {
  if (!config?.temporalUiUrl) return null;
  return `${config.temporalUiUrl.replace(/\/$/, '')}/namespaces/${encodeURIComponent(config.namespace)}/workflows/${encodeURIComponent(caseNo)}`;
}
