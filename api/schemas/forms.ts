/**
 * The forms of the services. Each service's form is data: the definition file's JSON Schema (`formSchema`), compiled
 * by the catalogue into a zod schema (infra/services/form-schema.ts) that the API validates with and that the OpenAPI
 * document names `<Form>Form` (api/schemas/form-components.ts). Here: the submission envelope every service shares,
 * and the identifier schemas other routes reuse (prefill's parameters). No form is written here.
 */
import { z } from './zod';
import { shanghaiDate } from '../../domain/calendar';
import { isBirthDateAfter, isValidCreditCode, isValidIdCardNumber, isValidPlate } from '../../domain/identifiers';
import { committedCatalog } from '../../infra/services/catalog';
import type { CompiledForm } from '../../infra/services/form-schema';

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

/** `school-bus` -> `SchoolBus`: the stem of a form's names in the OpenAPI document (SchoolBusForm, SchoolBusApplication). */
export const formStem = (formId: string): string => formId.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

const zodForms = new WeakMap<CompiledForm, z.ZodType<Record<string, unknown>>>();
/**
 * A service's compiled form (the catalogue's, from the definition's JSON Schema) as a zod schema: each problem the
 * validator finds is a zod issue at its field path. The API validates submissions with it and the OpenAPI document
 * names it (api/schemas/form-components.ts). Built here, after zod is extended with `.openapi()` (./zod), once per form.
 */
export function formSchemaOf(form: CompiledForm): z.ZodType<Record<string, unknown>> {
  let schema = zodForms.get(form);
  if (!schema) {
    schema = z
      .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: "expected an object: the service's form" })
      .superRefine((v, ctx) => {
        for (const i of form.issues(v)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
      });
    zodForms.set(form, schema);
  }
  return schema;
}

/**
 * The committed services' form schemas by form id (data/services). The API validates with its own catalogue's
 * (`formSchemaOf(deps.catalog.form(code))`), which may hold other services; this is for tools and tests.
 */
export const FORM_SCHEMAS: Record<string, z.ZodType> = Object.fromEntries(committedCatalog().list().map((d) => [d.form, formSchemaOf(committedCatalog().form(d.code)!)]));

export const materialRef = z.object({
  material: z.string().min(1).max(64),
  reference: z
    .string()
    .regex(/^(upload:[A-Za-z0-9._-]{1,128}|cert:[A-Za-z0-9-]{1,64})$/, 'upload:<id> for an uploaded file, cert:<no> to reference an electronic certificate'),
});

/**
 * The envelope checks only that `form` is an object: which form applies depends on `serviceCode`, and
 * `validateSubmission` then checks it against that service's schema, naming every failing field. In the document it
 * is `ServiceForm`: one of the catalogue's forms (each service's `<Form>Form`, filled in from the catalogue).
 */
export const serviceForm = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: "expected an object: the service's form" })
  .openapi('ServiceForm', { type: 'object', description: "The service's form: one of the catalogue's forms, chosen by `serviceCode`" });
const formEnvelope = serviceForm;

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
