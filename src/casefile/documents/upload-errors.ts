import { CallHandler, ExecutionContext, HttpException, HttpStatus, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { catchError, Observable, throwError } from 'rxjs';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import { RequestValidationError } from '../../infrastructure/http/errors';

/** The subset of multer's file object the documents feature reads (memory storage). */
export interface UploadedContent {
  fieldname: string;
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/** 413 naming `file`: the upload is over DOCUMENT_MAX_BYTES. */
export class FileTooLargeError extends HttpException {
  constructor(maxBytes: number, field = 'file') {
    const message = `is larger than the limit of ${maxBytes} bytes`;
    super(
      {
        statusCode: HttpStatus.PAYLOAD_TOO_LARGE,
        error: 'Payload Too Large',
        message: `${field}: ${message}`,
        errors: [{ field, message }],
      },
      HttpStatus.PAYLOAD_TOO_LARGE,
    );
  }
}

/**
 * Sits outside Nest's FileInterceptor and turns what multer and busboy throw (a file over the
 * size limit, a second file, a file under another field name, a malformed multipart body) into
 * 4xx answers naming `file`, instead of a bare 400/413 or a 500. Errors that carry their own
 * `errors` list (the service's) pass through as they are.
 */
@Injectable()
export class UploadErrorsInterceptor implements NestInterceptor {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(catchError((error: unknown) => throwError(() => this.translate(error))));
  }

  /** The 4xx answer for what multer or the handler threw (the web's upload form shows it on the form). */
  translate(error: unknown): unknown {
    if (error instanceof HttpException) {
      const body = error.getResponse();
      if (typeof body === 'object' && body !== null && 'errors' in body) return error;
      if (error.getStatus() === HttpStatus.PAYLOAD_TOO_LARGE) return new FileTooLargeError(this.config.documents.maxBytes);
      if (error.getStatus() === HttpStatus.BAD_REQUEST) return new RequestValidationError([{ field: 'file', message: uploadMessage(error.message) }]);
      return error;
    }
    const code = (error as { code?: unknown })?.code;
    const name = (error as { name?: unknown })?.name;
    if (name === 'MulterError' || (typeof code === 'string' && code.startsWith('LIMIT_'))) {
      if (code === 'LIMIT_FILE_SIZE') return new FileTooLargeError(this.config.documents.maxBytes);
      return new RequestValidationError([{ field: 'file', message: uploadMessage((error as Error).message) }]);
    }
    return error;
  }
}

function uploadMessage(multerMessage: string): string {
  if (/unexpected (file )?field/i.test(multerMessage)) {
    return 'send exactly one file, in the form field "file"';
  }
  if (/too many/i.test(multerMessage)) return `the multipart form is refused (${multerMessage}); send one file and the documented fields`;
  return `the multipart upload could not be read (${multerMessage})`;
}
