/**
 * The one form of each service as zod schemas: the API validates with them and the OpenAPI document is generated from
 * them. Identifiers are checked to their check character; units are in the field names (mm, kg).
 */
import { z } from './zod';
import { shanghaiDate } from '../../domain/calendar';
import { isBirthDateAfter, isValidCreditCode, isValidIdCardNumber, isValidPlate } from '../../domain/identifiers';
import type { FormKind } from '../../domain/types';

const text = (max: number) => z.string().trim().min(1).max(max);
export const creditCode = z
  .string()
  .refine(isValidCreditCode, 'not a valid unified social credit code (18 characters, GB 32100-2015 check character)')
  .openapi({ example: '91370800MA3C00010K' });
export const idCard = z
  .string()
  .refine((s) => isValidIdCardNumber(s), 'not a valid resident identity card number (18 characters, GB 11643-1999 check digit, born 1900 or later)')
  // Checked when the request arrives, on the Shanghai civil date: nobody applies with the number of someone unborn.
  .refine((s) => !isValidIdCardNumber(s) || !isBirthDateAfter(s, shanghaiDate(Date.now())), 'the birth date in this identity card number is in the future');
export const plate = z.string().refine(isValidPlate, 'not a valid plate number (e.g. 鲁H12345, new-energy 鲁HD12345)');
const isoDate = z.iso.date();
const isoInstant = z.iso.datetime({ offset: true });
const mm = (max: number) => z.number().int().positive().max(max);
const kg = (max: number) => z.number().int().positive().max(max);

const applicant = z.object({ creditCode, name: text(200) });
const vehicleEntry = z.object({ plate, totalMassKg: kg(200_000), axles: z.number().int().min(2).max(20) });
const person = z.object({ idCard, name: text(100) });

export const freightCompanyForm = z
  .object({
    applicant: applicant.extend({
      legalRepresentative: text(100),
      address: text(300),
      contactPhone: z.string().regex(/^1\d{10}$|^0\d{2,3}-?\d{7,8}$/, 'a mobile (11 digits) or landline number'),
    }),
    safetyManagementSystem: z.boolean(),
    vehicles: z
      .array(
        vehicleEntry.refine((v) => v.totalMassKg > 4500, {
          message: 'vehicles of total mass up to 4,500 kg need neither permit: leave them out',
          path: ['totalMassKg'],
        }),
      )
      .min(1)
      .max(200),
    drivers: z.array(person).min(1).max(500),
  })
  .openapi('FreightCompanyForm');

export const schoolBusForm = z
  .object({
    applicant,
    carrier: applicant,
    vehicle: vehicleEntry.extend({ seats: z.number().int().min(5).max(80) }),
    driver: person,
    route: z.object({
      name: text(100),
      stops: z.array(text(100)).min(2).max(60),
      departureTimes: z.array(z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM')).min(1).max(20),
    }),
    liabilityInsuranceValidUntil: isoDate,
  })
  .openapi('SchoolBusForm');

export const oversizeCargoForm = z
  .object({
    applicant,
    cargo: z.object({
      name: text(100),
      divisible: z.boolean(),
      lengthMm: mm(100_000),
      widthMm: mm(20_000),
      heightMm: mm(20_000),
      massKg: kg(1_000_000),
    }),
    vehicle: z.object({
      plate,
      axles: z.number().int().min(2).max(20),
      configuration: z.enum(['truck', 'combination']),
      driveAxles: z.number().int().min(1).max(20),
      curbMassKg: kg(200_000),
      wheelbaseMm: mm(50_000),
      tyres: z.number().int().min(4).max(200),
      flatbed: z.boolean(),
    }),
    loaded: z.object({
      lengthMm: mm(100_000),
      widthMm: mm(20_000),
      heightMm: mm(20_000),
      grossMassKg: kg(1_200_000),
      axleLoadsKg: z.array(kg(100_000)).min(2).max(20),
    }),
    route: z.object({
      originCity: text(100),
      destinationCity: text(100),
      segmentIds: z.array(z.string().regex(/^[A-Z0-9-]{1,32}$/)).min(1).max(200),
      travelFrom: isoInstant,
      travelTo: isoInstant,
      tripKind: z.enum(['single', 'repeated']),
    }),
    driverIdCard: idCard,
    escortStaff: z.array(text(100)).max(20),
    documents: z.object({ escortPlan: z.boolean(), outlineDrawing: z.boolean() }),
  })
  .openapi('OversizeCargoForm');

export const FORM_SCHEMAS: Record<FormKind, z.ZodType> = {
  'freight-company': freightCompanyForm,
  'school-bus': schoolBusForm,
  'oversize-cargo': oversizeCargoForm,
};

export const materialRef = z.object({
  material: z.string().min(1).max(64),
  reference: z
    .string()
    .regex(/^(upload:[A-Za-z0-9._-]{1,128}|cert:[A-Za-z0-9-]{1,64})$/, 'upload:<id> for an uploaded file, cert:<no> to reference an electronic certificate'),
});

/**
 * The envelope checks only that `form` is an object: which form applies depends on `serviceCode`, and
 * `validateSubmission` then checks it against that service's schema, naming every failing field. The document says
 * which shapes it can take (one of the three forms) instead of an open object.
 */
const formEnvelope = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected an object: the service\'s form' })
  .openapi({
    type: 'object',
    description: 'The service\'s form: SchoolBusForm (SCHOOLBUS), FreightCompanyForm (FREIGHTCO) or OversizeCargoForm (OVERSIZE)',
    anyOf: ['SchoolBusForm', 'FreightCompanyForm', 'OversizeCargoForm'].map((name) => ({ $ref: `#/components/schemas/${name}` })),
  });

/** The envelope every submission shares; `form` is then checked against the service's own form schema. */
export const caseSubmissionSchema = z
  .object({
    serviceCode: z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/),
    channel: z.enum(['online', 'counter']),
    scenarioAnswers: z.record(z.string().max(64), z.string().max(64)),
    materials: z.array(materialRef).max(100),
    form: formEnvelope,
    webhookUrl: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  })
  .openapi('CaseSubmission');
export type CaseSubmissionBody = z.infer<typeof caseSubmissionSchema>;
