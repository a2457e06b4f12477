import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Checks real API answers against the served OpenAPI document: the schema of a path, method, status and
 * content type is taken from the document itself (JSON pointer), with its component references.
 */
export function openApiChecker(document: object) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema(document, 'openapi');
  const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
  return (path: string, method: string, status: number, body: unknown, contentType = 'application/json'): string[] => {
    const validate = ajv.getSchema(
      `openapi#/${pointer('paths', path, method, 'responses', String(status), 'content', contentType, 'schema')}`,
    );
    if (!validate) return [`no schema in the document for ${method.toUpperCase()} ${path} ${status} ${contentType}`];
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
  };
}
