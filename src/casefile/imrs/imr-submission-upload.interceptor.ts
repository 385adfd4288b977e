import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { MulterModuleOptions } from '@nestjs/platform-express';
import { MULTER_MODULE_OPTIONS } from '@nestjs/platform-express/multer/files.constants';
import type { Request, Response } from 'express';
import type { Observable } from 'rxjs';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import { RequestValidationError } from '../../infrastructure/http/errors';
import { FileTooLargeError, UploadedContent } from '../documents/upload-errors';

type Handler = (req: Request, res: Response, done: (error?: unknown) => void) => void;
// multer is Nest's own dependency (no type declarations installed): only `fields` is used.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const multer = require('multer') as (options: unknown) => { fields(fields: Array<{ name: string; maxCount: number }>): Handler };

/** The file parts of a submission: the report, and optionally its chronology. */
export const SUBMISSION_FILES = ['report', 'chronology'] as const;
export type SubmissionFiles = Partial<Record<(typeof SUBMISSION_FILES)[number], UploadedContent>>;

/** A request whose upload was read (its files), or refused (`uploadRefusal`, for a page to show on its form). */
export type SubmissionRequest = Request & { files?: Record<string, UploadedContent[] | undefined>; uploadRefusal?: unknown };

/** The files multer read, one per part. */
export function submissionFiles(req: SubmissionRequest): SubmissionFiles {
  const files = req.files && !Array.isArray(req.files) ? req.files : {};
  return { report: files.report?.[0], chronology: files.chronology?.[0] };
}

/**
 * Reads a submission's multipart body with the documents' multer limits (memory only,
 * DOCUMENT_MAX_BYTES + 1 a file), two files instead of one: `report` and `chronology`. multer
 * is run directly (not through Nest's FileFieldsInterceptor) so that a refusal still knows which
 * part it was about: a file too large is a 413 naming `report` or `chronology`, a part under
 * another name or a second report a 400 naming it.
 */
@Injectable()
export class ImrSubmissionUploadInterceptor implements NestInterceptor {
  private readonly upload: Handler;
  /** The pages leave a refusal on the request (their form shows it); the API answers with it. */
  protected readonly keepRefusal: boolean = false;

  constructor(
    @Inject(MULTER_MODULE_OPTIONS) options: MulterModuleOptions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    const limits = (options.limits ?? {}) as Record<string, number>;
    this.upload = multer({ ...options, limits: { ...limits, files: 2, parts: 12 } }).fields(SUBMISSION_FILES.map((name) => ({ name, maxCount: 1 })));
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<SubmissionRequest>();
    const res = context.switchToHttp().getResponse<Response>();
    try {
      await new Promise<void>((resolve, reject) => this.upload(req, res, (error) => (error ? reject(error) : resolve())));
    } catch (error) {
      const refusal = this.translate(error);
      if (!this.keepRefusal) throw refusal;
      req.uploadRefusal = refusal;
    }
    return next.handle();
  }

  private translate(error: unknown): Error {
    const { code, field, message } = error as { code?: string; field?: string; message?: string };
    const known = (SUBMISSION_FILES as readonly string[]).includes(field ?? '');
    if (code === 'LIMIT_FILE_SIZE') return new FileTooLargeError(this.config.documents.maxBytes, known ? (field as string) : 'report');
    if (code === 'LIMIT_UNEXPECTED_FILE') {
      return new RequestValidationError([
        known
          ? { field: field as string, message: 'send one file only' }
          : { field: 'report', message: `"${field ?? ''}" is not a part this form takes: send the report as "report" and, if you have it, the chronology as "chronology"` },
      ]);
    }
    return new RequestValidationError([{ field: 'report', message: `the multipart upload could not be read (${message ?? 'unreadable body'})` }]);
  }
}

/** The same, for a page: a refusal is left on the request for the form to show. */
@Injectable()
export class PageSubmissionUploadInterceptor extends ImrSubmissionUploadInterceptor {
  protected override readonly keepRefusal = true;
}
