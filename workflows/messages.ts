/**
 * The schemas of every message a case accepts, defined once for both sides: the API validates request bodies with the
 * `*BodySchema`s, and the workflow validates each signal's payload with the `*SignalSchema`s (which extend the body
 * schemas with what the API adds: ids, the reviewer, the department). A signal can also arrive straight through
 * Temporal (the CLI, the UI, another client), so the workflow never trusts its argument.
 *
 * zod is pure and deterministic, so it runs in the workflow sandbox. Plain `zod` here (no OpenAPI extension: the API
 * extends zod's prototypes at start, so `.openapi()` works on these schemas there too).
 */
import { z } from 'zod';
import { textProblem } from '../domain/text';
import { DEPARTMENT_CODE_PATTERN } from '../domain/types';

/** A string that passes `textProblem`: no NUL, no unpaired surrogate, no C0 control other than tab, LF and CR. */
export const safeText = () =>
  z.string().superRefine((value, ctx) => {
    const problem = textProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Ids the API derives (UUIDs, hashes) or that a client chooses: printable, short, no whitespace. */
const messageIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'an id of 1-128 letters, digits, . _ : -');

export const missingItemSchema = z.object({
  material: safeText().min(1).max(64),
  reason: safeText().min(1).max(500),
});

/** A material reference: an upload (`upload:<id>`) or an electronic certificate (`cert:<no>`) instead of a file. */
export const materialRefSchema = z.object({
  material: safeText().min(1).max(64),
  reference: z
    .string()
    .regex(/^(upload:[A-Za-z0-9._-]{1,128}|cert:[A-Za-z0-9-]{1,64})$/, 'upload:<id> for an uploaded file, cert:<no> to reference an electronic certificate'),
});

const decisionFields = z.object({
  decision: z.enum(['approve', 'reject', 'request_supplement']),
  comment: safeText().trim().min(1).max(2000),
  missing: z.array(missingItemSchema).max(50).optional(),
});

/** POST /cases/:caseNo/steps/:stepId/decision. */
export const decisionBodySchema = decisionFields.refine((d) => d.decision !== 'request_supplement' || (d.missing?.length ?? 0) > 0, {
  message: 'list everything that is missing, once (一次告知)',
  path: ['missing'],
});

/** POST /cases/:caseNo/supplements. */
export const supplementBodySchema = z.object({
  materials: z.array(materialRefSchema).min(1).max(100),
  comment: safeText().max(2000).optional(),
});

/** POST /cases/:caseNo/withdraw. */
export const withdrawBodySchema = z.object({ reason: safeText().trim().min(1).max(500) });

/** POST /cases/:caseNo/retry (ops). */
export const opsRetryBodySchema = z.object({ note: safeText().max(500).optional() });

/**
 * `reviewDecision`. A supplement request without its list is not refused here: the workflow records it as an ignored
 * decision on its step (the reviewer sees why), as it always has.
 */
export const reviewDecisionSignalSchema = decisionFields.extend({
  decisionId: messageIdSchema,
  stepId: z.string().regex(/^[a-z][a-z0-9-]{0,47}$/, 'a step id'),
  reviewer: safeText().min(1).max(128),
  // The shape only (the sandbox reads no city file): the workflow ignores a decision whose department is not the step's.
  department: z.string().regex(DEPARTMENT_CODE_PATTERN, 'a department code'),
});

/** Who sent an applicant's message (`portal:<client> for <applicant, masked>`): the audit log records the real caller. */
const requestedBySchema = safeText().min(1).max(128).optional();

/** `supplementSubmitted`. */
export const supplementSignalSchema = supplementBodySchema.extend({ supplementId: messageIdSchema, requestedBy: requestedBySchema });

/** `withdraw`. */
export const withdrawSignalSchema = withdrawBodySchema.extend({ requestId: messageIdSchema, requestedBy: requestedBySchema });

/** `opsRetry`: ops ask a case that needs attention to try the failed operation again. */
export const opsRetrySignalSchema = opsRetryBodySchema.extend({ requestId: messageIdSchema, operator: safeText().min(1).max(128) });

/** `calendarUpdated` carries nothing; the CLI and the UI may send no argument, `null` or `{}`. */
export const calendarUpdatedSignalSchema = z
  .unknown()
  .refine((v) => v === undefined || v === null || (typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0), {
    message: 'calendarUpdated carries no payload',
  });

export type ReviewDecisionMessage = z.infer<typeof reviewDecisionSignalSchema>;
export type SupplementMessage = z.infer<typeof supplementSignalSchema>;
export type WithdrawMessage = z.infer<typeof withdrawSignalSchema>;
export type OpsRetryMessage = z.infer<typeof opsRetrySignalSchema>;

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Validates a signal's payload. The reason lists the failing fields with zod's messages, which describe the schema
 * (expected types, lengths, patterns), never the payload's content: it goes into the audit log and may not carry
 * personal data.
 */
export function checkMessage<T>(schema: z.ZodType<T>, payload: unknown): Checked<T> {
  const r = schema.safeParse(payload);
  if (r.success) return { ok: true, value: r.data };
  const reason = r.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : 'payload'}: ${i.message}`)
    .join('; ');
  return { ok: false, reason: reason.length > 400 ? `${reason.slice(0, 397)}...` : reason };
}
