/**
 * The service catalogue (GET /api/v1/services, public: the list of government services is public information),
 * fetched once per session: the names of services, steps, materials and departments, and each service's form schema,
 * that the pages show instead of codes and field keys.
 */
import { useEffect, useState } from 'react';
import { api, unwrap, type Schemas } from './api/client';
import { departmentName } from '../../domain/departments';
import { FormSchema } from './form-schema';

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

/**
 * The services by code, and whether the catalogue has answered (`settled`: loaded, or failed). Empty until loaded:
 * pages then show codes and keys, never fail for want of names.
 */
export function useCatalogueStatus(): { services: Map<string, Service>; settled: boolean } {
  const [state, setState] = useState<{ services: Map<string, Service>; settled: boolean }>({ services: new Map(), settled: false });
  useEffect(() => {
    let live = true;
    loadCatalogue().then(
      (list) => live && setState({ services: new Map(list.map((s) => [s.code, s])), settled: true }),
      () => live && setState((s) => ({ ...s, settled: true })),
    );
    return () => {
      live = false;
    };
  }, []);
  return state;
}

/** The services by code; empty until loaded. */
export function useCatalogue(): Map<string, Service> {
  return useCatalogueStatus().services;
}

/**
 * A service's form schema (its definition's `formSchema`, served with the catalogue) ready to label a form; an empty
 * one while the catalogue is loading or for an unknown service, so pages show keys in words rather than fail.
 */
const schemas = new WeakMap<Service, FormSchema>();
export function formSchemaOf(service: Service | undefined): FormSchema | null {
  if (!service) return null;
  let s = schemas.get(service);
  if (!s) {
    s = new FormSchema(service.formSchema);
    schemas.set(service, s);
  }
  return s;
}

/** The service that issues a certificate type: the first whose definition lists it (each service names its own types). */
export function serviceOfCertificate(services: Map<string, Service>, type: string): Service | undefined {
  for (const s of services.values()) if (s.certificates.some((c) => c.type === type)) return s;
  return undefined;
}

/**
 * A department's name: as the catalogue's services name it (the API's city file, which may add departments), else
 * the committed city file's, else its code.
 */
export function departmentLabel(services: Map<string, Service>, code: string): Schemas['Bilingual'] {
  for (const s of services.values()) {
    const d = s.departments.find((x) => x.code === code);
    if (d) return d.name;
  }
  return departmentName(code);
}
