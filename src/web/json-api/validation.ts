/**
 * Request validation with TypeBox for the JSON APIs (admin API and SCIM): the same schema object types the handler,
 * validates the request and documents it in OpenAPI. Bodies are checked strictly (no coercion, unknown properties
 * rejected, defaults filled in); path and query strings are converted to the declared types first.
 */
import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { ValidationError } from '../../identity/errors.js';
import { fieldOf, firstPerField } from '../../schema/problems.js';
import { withJsonLimits } from '../json-limits.js';

export const typeboxValidatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = TypeCompiler.Compile(schema);
  const convert = httpPart === 'querystring' || httpPart === 'params' || httpPart === 'headers';
  return (data: unknown) => {
    let value = data === null && httpPart === 'body' ? undefined : data;
    if (convert) value = Value.Convert(schema, value);
    value = Value.Default(schema, value);
    if (check.Check(value)) return { value };
    const problems = firstPerField(
      [...check.Errors(value)].map((e) => ({ field: fieldOf(e.path, httpPart ?? 'body'), message: e.message })),
    );
    return {
      error: new ValidationError(
        problems.length > 0 ? problems : [{ field: httpPart ?? 'body', message: 'is not valid' }],
      ),
    };
  };
};

/**
 * JSON (and the given extra JSON media types) only: text/plain and anything else is 415. An empty body is
 * "no body", so action routes such as POST …/unlock work whether or not a client sends a content type.
 * Every body keeps the limits of json-limits.ts (nesting depth, number range) or is a 400 before a handler sees it.
 */
export function acceptJsonOnly(app: FastifyInstance, mediaTypes: string[]): void {
  const parse = withJsonLimits(app.getDefaultJsonParser('error', 'error') as Parameters<typeof withJsonLimits>[0]);
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(mediaTypes, { parseAs: 'string' }, (req, body, done) => parse(req, body as string, done));
}
