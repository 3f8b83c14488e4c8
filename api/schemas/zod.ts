/** zod with `.openapi()`: every API module imports `z` from here, so the extension is in place before any schema. */
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
export type { ZodType, ZodError } from 'zod';
