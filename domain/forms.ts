/**
 * The one form (一表申请) of each committed service, as the applicant submits it, for the code that reads a form (the
 * oversize rule engine, the code checks, the tests). The forms themselves are data: each definition's `formSchema`
 * (data/services) is what validates a submission; these interfaces describe the same shapes and stay dependency-free so
 * activities and the workflow can share them. A service added as data needs none. Units are explicit in the names:
 * millimetres and kilograms.
 */
import type { OversizeApplication } from './oversize/types';

export type Channel = 'online' | 'counter';

export interface ApplicantRef {
  creditCode: string;
  name: string;
}

export interface MaterialRef {
  material: string;
  /** An upload reference (`upload:<id>`) or an electronic certificate number (`cert:<no>`, 证照免交). */
  reference: string;
}

export interface VehicleEntry {
  plate: string;
  totalMassKg: number;
  axles: number;
}

export interface PersonEntry {
  idCard: string;
  name: string;
}

export interface FreightCompanyForm {
  applicant: ApplicantRef & { legalRepresentative: string; address: string; contactPhone: string };
  safetyManagementSystem: boolean;
  vehicles: VehicleEntry[];
  drivers: PersonEntry[];
}

export interface SchoolBusForm {
  applicant: ApplicantRef;
  carrier: ApplicantRef;
  vehicle: VehicleEntry & { seats: number };
  driver: PersonEntry;
  route: { name: string; stops: string[]; departureTimes: string[] };
  liabilityInsuranceValidUntil: string;
  vehicles?: VehicleEntry[];
}

export interface OversizeCargoForm extends OversizeApplication {
  applicant: ApplicantRef;
}

export type ApplicationForm = FreightCompanyForm | SchoolBusForm | OversizeCargoForm;

/** The vehicles a per-vehicle certificate is issued for. */
export function vehiclesOf(form: Record<string, unknown>): { plate: string }[] {
  if (Array.isArray(form.vehicles)) return form.vehicles as { plate: string }[];
  const v = form.vehicle as { plate?: string } | undefined;
  return v?.plate ? [{ plate: v.plate }] : [];
}
