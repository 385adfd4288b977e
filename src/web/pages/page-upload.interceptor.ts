import { CallHandler, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import type { MulterModuleOptions } from '@nestjs/platform-express';
import { MULTER_MODULE_OPTIONS } from '@nestjs/platform-express/multer/files.constants';
import type { Observable } from 'rxjs';
import { UploadErrorsInterceptor } from '../../casefile/documents/upload-errors';
import type { FormProblem } from '../forms';
import type { WebRequest } from '../web-views';

/** A page request whose upload multer refused: the refusal, for the page to show on its form. */
export type UploadRequest = WebRequest & { uploadRefusal?: unknown };

/**
 * The service's "is required: send the document as a multipart/form-data part named …" for a
 * file field of a form, in the words a file field takes on a page ("is required").
 */
export function uploadProblems(problems: readonly FormProblem[], fileFields: readonly string[] = ['file']): FormProblem[] {
  return problems.map((p) => (fileFields.includes(p.field) && /^is required/.test(p.message) ? { field: p.field, message: 'is required' } : p));
}

/**
 * Reads an upload form's file exactly as the API's documents routes do: Nest's
 * FileInterceptor('file') with the documents' multer limits (DocumentsModule's MulterModule:
 * memory only, DOCUMENT_MAX_BYTES + 1, one file, a few short fields), and multer's errors put
 * in the API's words by UploadErrorsInterceptor. One difference: a refused upload (too large,
 * a second file, an unreadable body) does not end the request with an error page; it is left
 * on the request (`uploadRefusal`) and the page's handler shows it on the form, as it shows
 * what the service refused. The CSRF check happened before (the identity guard), so nothing
 * of the body is read for a request that fails it.
 */
@Injectable()
export class PageUploadInterceptor extends FileInterceptor('file') {
  constructor(
    // Required, not optional: without the documents' limits multer would take any size.
    @Inject(MULTER_MODULE_OPTIONS) options: MulterModuleOptions,
    private readonly uploadErrors: UploadErrorsInterceptor,
  ) {
    super(options);
  }

  override async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    try {
      return await super.intercept(context, next);
    } catch (error) {
      context.switchToHttp().getRequest<UploadRequest>().uploadRefusal = this.uploadErrors.translate(error);
      return next.handle();
    }
  }
}
