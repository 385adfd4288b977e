import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  message: string;
}

/** 400: the request is malformed; each problem names the field and the reason. */
export class RequestValidationError extends HttpException {
  constructor(readonly problems: FieldProblem[]) {
    super(
      {
        statusCode: HttpStatus.BAD_REQUEST,
        error: 'Bad Request',
        message: problems.map((p) => `${p.field}: ${p.message}`).join('; '),
        errors: problems,
      },
      HttpStatus.BAD_REQUEST,
    );
  }
}

/** 409: the request is well formed but the review's current state refuses it. */
export class StateConflictError extends HttpException {
  constructor(message: string, reasons: string[] = [], extra: Record<string, unknown> = {}) {
    super({ statusCode: HttpStatus.CONFLICT, error: 'Conflict', message, reasons, ...extra }, HttpStatus.CONFLICT);
  }
}

/** 412: If-Match named a version that is no longer current. */
export class StaleVersionError extends HttpException {
  constructor(expected: number, current: number) {
    super(
      {
        statusCode: HttpStatus.PRECONDITION_FAILED,
        error: 'Precondition Failed',
        message: `The review has changed since you read it: you sent version ${expected}, it is now at version ${current}. Read it again and retry.`,
        currentVersion: current,
      },
      HttpStatus.PRECONDITION_FAILED,
    );
  }
}

/**
 * 428: a write to an existing versioned record came without If-Match, so nothing says which
 * version the writer read (two writers would silently overwrite each other).
 */
export class PreconditionRequiredError extends HttpException {
  constructor() {
    const message = 'must be the ETag (version) of the record as you read it, such as "3"; a write to an existing record without it is refused';
    super(
      {
        statusCode: 428,
        error: 'Precondition Required',
        message: `If-Match: ${message}`,
        errors: [{ field: 'If-Match', message }],
      },
      428,
    );
  }
}
