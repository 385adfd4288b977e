import { z } from 'zod';
import { text, uuid } from '../../infrastructure/http/validation';
import { DOCUMENT_KINDS } from '../entities';

/** The text fields of the multipart form that creates a document (the file comes as `file`). */
export const createDocumentSchema = z
  .object({ kind: z.enum(DOCUMENT_KINDS), title: text(300), imrId: uuid('IMR id').optional() })
  .strict();

/** A new version carries only its file: any other form field is refused. */
export const addDocumentVersionSchema = z.object({}).strict();

export const listDocumentsQuerySchema = z.object({ kind: z.enum(DOCUMENT_KINDS).optional() }).strict();

/** OpenAPI: a multipart form of the schema's fields plus the binary `file`. */
export function multipartBody(fields: Record<string, unknown>, required: string[], title: string) {
  return {
    schema: {
      title,
      type: 'object',
      required: [...required, 'file'],
      properties: {
        ...fields,
        file: {
          type: 'string',
          format: 'binary',
          description:
            'The document: PDF, Word (.docx), OpenDocument text (.odt), plain text, PNG or JPEG, with its content type ' +
            'declared in the part; at most DOCUMENT_MAX_BYTES.',
        },
      },
    },
  };
}
