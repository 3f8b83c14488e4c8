/**
 * The failure converter of every client and worker (DataConverter.failureConverterPath points here). With
 * encodeCommonAttributes, a failure's message and stack trace travel as a payload, so the payload codec encrypts them:
 * an activity error that quotes the data it failed on never sits in the history in clear text.
 *
 * Loaded inside the workflow sandbox too (it is bundled with the workflows): import nothing but @temporalio/common.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
