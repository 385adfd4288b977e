import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { FieldProblem, RequestValidationError } from './errors';

export const NUL_MESSAGE = 'must not contain a NUL character';

/**
 * Where a NUL character (U+0000) sits in `value` (strings, arrays, objects; keys too), as field
 * paths such as `people.0.name`. PostgreSQL cannot store U+0000 in text or jsonb, so such input
 * is refused at the edge as a 400 naming the field, before any handler or query sees it.
 */
export function nulFields(value: unknown, path: string, found: string[] = [], depth = 0): string[] {
  if (found.length >= 20 || depth > 32) return found;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => nulFields(item, path ? `${path}.${i}` : String(i), found, depth + 1));
  } else if (value !== null && typeof value === 'object' && !Buffer.isBuffer(value)) {
    for (const [key, inner] of Object.entries(value as Record<string, unknown>)) {
      const at = path ? `${path}.${key}` : key;
      if (key.includes('\u0000')) found.push(at.replace(/\u0000/g, '\\u0000'));
      else nulFields(inner, at, found, depth + 1);
    }
  }
  return found;
}

function problems(fields: string[]): FieldProblem[] {
  return fields.map((field) => ({ field, message: NUL_MESSAGE }));
}

/**
 * Express middleware, after the body parsers: a NUL character in the path, the query string or
 * a JSON, form or CSV body is a 400 naming the field. Hands the error to Nest's filter (JSON
 * for the API, the problem page for the web interface).
 */
export function refuseNulInput(req: Request, _res: Response, next: NextFunction): void {
  const found: string[] = [];
  let path = req.path;
  try {
    path = decodeURIComponent(req.path);
  } catch {
    // a malformed escape is the router's to refuse
  }
  if (path.includes('\u0000')) found.push('path');
  nulFields(req.query, '', found);
  if (typeof req.body === 'string') {
    if (req.body.includes('\u0000')) found.push('body');
  } else nulFields(req.body, '', found);
  if (found.length > 0) {
    next(new RequestValidationError(problems(found)));
    return;
  }
  next();
}

/**
 * The same check on what Nest hands a handler (a multipart form's fields, read by multer
 * after the middleware ran). Uploaded file content is a Buffer and may hold any byte.
 */
@Injectable()
export class RefuseNulPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const base = metadata.type === 'body' || metadata.type === 'query' ? (metadata.data ?? '') : (metadata.data ?? 'path');
    const found = nulFields(value, base);
    if (found.length > 0) throw new RequestValidationError(problems(found));
    return value;
  }
}
