import { AspError } from '@asp/errors';
import type { z } from 'zod';

/**
 * Parses a service's environment once at start. An invalid value stops the
 * service with a message naming each offending variable.
 */
export function parseConfig<S extends z.ZodType>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv,
): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new AspError('ASP_ERR_CONFIG', `invalid ${service} configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
