import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiHeader, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Access } from '../../access/access.decorator';
import type { AccessContext } from '../../access/access.service';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { parseInput } from '../../infrastructure/http/validation';
import { zodToOpenApi } from '../../infrastructure/http/openapi';
import { DOCUMENT_KINDS } from '../entities';
import { createDocumentSchema, listDocumentsQuerySchema, multipartBody } from './documents.schemas';
import { DocumentsService } from './documents.service';
import { UploadErrorsInterceptor, UploadedContent } from './upload-errors';

const createFields = (zodToOpenApi(createDocumentSchema, 'CreateDocumentFields').properties ?? {}) as Record<string, unknown>;

@ApiTags('documents')
@Controller('reviews/:reviewId/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(UploadErrorsInterceptor, FileInterceptor('file'))
  @ApiConsumes('multipart/form-data')
  @ApiBody(multipartBody(createFields, ['kind', 'title'], 'CreateDocument'))
  create(
    @Param('reviewId') reviewId: string,
    @Body() fields: unknown,
    @UploadedFile() file: UploadedContent | undefined,
    @Actor() actor: string,
  ) {
    return this.documents.create(reviewId, fields, file, actor);
  }

  @Get()
  @ApiQuery({ name: 'kind', required: false, enum: DOCUMENT_KINDS })
  list(@Param('reviewId') reviewId: string, @Query() query: unknown, @Access() access: AccessContext) {
    return this.documents.list(reviewId, parseInput(listDocumentsQuerySchema, query), access.restriction);
  }

  @Get(':documentId')
  get(@Param('reviewId') reviewId: string, @Param('documentId') documentId: string, @Access() access: AccessContext) {
    return this.documents.get(reviewId, documentId, access.restriction);
  }

  @Post(':documentId/versions')
  @HttpCode(201)
  @UseInterceptors(UploadErrorsInterceptor, FileInterceptor('file'))
  @ApiConsumes('multipart/form-data')
  @ApiBody(multipartBody({}, [], 'AddDocumentVersion'))
  @ApiHeader(ifMatchDoc('document'))
  addVersion(
    @Param('reviewId') reviewId: string,
    @Param('documentId') documentId: string,
    @Body() fields: unknown,
    @UploadedFile() file: UploadedContent | undefined,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.documents.addVersion(reviewId, documentId, fields, file, actor, ifMatch);
  }

  /** The content of one version. Needs X-Actor: every download is recorded with who made it. */
  @Get(':documentId/versions/:versionNo/content')
  @ApiProduces('application/octet-stream')
  async download(
    @Param('reviewId') reviewId: string,
    @Param('documentId') documentId: string,
    @Param('versionNo') versionNo: string,
    @Actor() actor: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StreamableFile> {
    const file = await this.documents.download(reviewId, documentId, versionNo, actor);
    const digest = Buffer.from(file.sha256, 'hex').toString('base64');
    res.set({
      'Content-Type': file.contentType,
      'Content-Length': String(file.sizeBytes),
      'Content-Disposition': attachment(file.filename),
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'private, no-store',
      'Content-Security-Policy': "default-src 'none'; sandbox",
      ETag: `"${file.sha256}"`,
      Digest: `sha-256=${digest}`,
      'Repr-Digest': `sha-256=:${digest}:`,
    });
    return new StreamableFile(file.content);
  }

  /** Who downloaded which version of the document, and when. */
  @Get(':documentId/downloads')
  downloads(@Param('reviewId') reviewId: string, @Param('documentId') documentId: string) {
    return this.documents.downloads(reviewId, documentId);
  }
}

/**
 * `attachment` with an ASCII fallback name and the exact name in RFC 5987 form, so no client
 * can be led to render the file inline or to take a path from the name.
 */
export function attachment(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
