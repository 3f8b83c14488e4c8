/**
 * The service catalogue (GET /api/v1/services), fetched once per session: the names of services, steps and materials
 * that the queue and the case page show instead of codes.
 */
import { useEffect, useState } from 'react';
import { api, unwrap, type Schemas } from './api/client';

export type Service = Schemas['Service'];
let cached: Promise<Service[]> | null = null;

export function loadCatalogue(): Promise<Service[]> {
  cached ??= unwrap(api.GET('/api/v1/services')).then(
    (c) => c.services,
    (err: unknown) => {
      cached = null;
      throw err;
    },
  );
  return cached;
}

/** The services by code; empty until loaded (pages then show codes, never fail for want of names). */
export function useCatalogue(): Map<string, Service> {
  const [services, setServices] = useState<Map<string, Service>>(new Map());
  useEffect(() => {
    let live = true;
    loadCatalogue().then(
      (list) => live && setServices(new Map(list.map((s) => [s.code, s]))),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return services;
}
