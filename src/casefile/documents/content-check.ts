/**
 * What may be uploaded as a document, and whether the bytes are what the upload says they are.
 * The declared Content-Type is a client's claim: for the binary formats it must agree with the
 * file's magic bytes, so a renamed file (an .exe called report.pdf) is refused.
 */

export const PDF = 'application/pdf';
export const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
export const ODT = 'application/vnd.oasis.opendocument.text';
export const TEXT = 'text/plain';
export const PNG = 'image/png';
export const JPEG = 'image/jpeg';

export const ALLOWED_CONTENT_TYPES = [PDF, DOCX, ODT, TEXT, PNG, JPEG] as const;
export type AllowedContentType = (typeof ALLOWED_CONTENT_TYPES)[number];

/** What the bytes look like, from their first bytes (and, for zip packages, their entry names). */
export type Sniffed = 'pdf' | 'png' | 'jpeg' | 'docx' | 'odt' | 'zip' | 'binary' | 'text';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** PDF readers accept the header anywhere in the first 1024 bytes; producers put it first. */
const PDF_MAGIC = Buffer.from('%PDF-', 'latin1');
/** ODF: the first zip entry is an uncompressed file named `mimetype` holding the media type. */
const ODF_MIMETYPE_ENTRY = Buffer.from('mimetype', 'latin1');
const ODT_MIMETYPE = Buffer.from(ODT, 'latin1');
/** OOXML: a `[Content_Types].xml` part, and the word processing parts under `word/`. */
const OOXML_CONTENT_TYPES = Buffer.from('[Content_Types].xml', 'latin1');
const OOXML_WORD = Buffer.from('word/', 'latin1');

const startsWith = (buffer: Buffer, magic: Buffer) => buffer.length >= magic.length && buffer.subarray(0, magic.length).equals(magic);

/**
 * The format the content shows. Zip local-file headers start with 30 fixed bytes then the
 * entry name, so an ODF package has `mimetype` at offset 30 and its media type at 38.
 */
export function sniff(content: Buffer): Sniffed {
  if (startsWith(content, PDF_MAGIC)) return 'pdf';
  if (startsWith(content, PNG_MAGIC)) return 'png';
  if (startsWith(content, JPEG_MAGIC)) return 'jpeg';
  if (startsWith(content, ZIP_MAGIC)) {
    if (content.subarray(30, 38).equals(ODF_MIMETYPE_ENTRY)) {
      return content.subarray(38, 38 + ODT_MIMETYPE.length).equals(ODT_MIMETYPE) ? 'odt' : 'zip';
    }
    if (content.includes(OOXML_CONTENT_TYPES) && content.includes(OOXML_WORD)) return 'docx';
    return 'zip';
  }
  // Text has no magic bytes: a NUL byte (or another control character than tab, line
  // breaks, form feed and escape) in the first 8 KiB marks content as binary.
  const head = content.subarray(0, 8192);
  for (const byte of head) {
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d && byte !== 0x1b) return 'binary';
  }
  return 'text';
}

const EXPECTED: Record<AllowedContentType, { sniffed: Sniffed; name: string }> = {
  [PDF]: { sniffed: 'pdf', name: 'a PDF' },
  [DOCX]: { sniffed: 'docx', name: 'a Word (.docx) document' },
  [ODT]: { sniffed: 'odt', name: 'an OpenDocument text (.odt) document' },
  [TEXT]: { sniffed: 'text', name: 'plain text' },
  [PNG]: { sniffed: 'png', name: 'a PNG image' },
  [JPEG]: { sniffed: 'jpeg', name: 'a JPEG image' },
};

const DESCRIBED: Record<Sniffed, string> = {
  pdf: 'a PDF',
  png: 'a PNG image',
  jpeg: 'a JPEG image',
  docx: 'a Word (.docx) document',
  odt: 'an OpenDocument text document',
  zip: 'a zip archive that is not a .docx or .odt document',
  binary: 'binary data',
  text: 'text',
};

/** `Text/Plain; charset=utf-8` → `text/plain`. */
export function mediaTypeEssence(declared: string | undefined): string {
  return (declared ?? '').split(';')[0].trim().toLowerCase();
}

export type ContentCheck = { ok: true; contentType: AllowedContentType } | { ok: false; message: string };

/**
 * Accepts content whose declared type is on the allow-list and whose bytes agree with it.
 * Returns the normalised content type, or the reason (for a 400 naming `file`).
 */
export function checkContent(declared: string | undefined, content: Buffer): ContentCheck {
  const essence = mediaTypeEssence(declared);
  if (!(ALLOWED_CONTENT_TYPES as readonly string[]).includes(essence)) {
    return {
      ok: false,
      message: `content type ${essence ? `"${essence}"` : '(none)'} is not accepted; allowed: ${ALLOWED_CONTENT_TYPES.join(', ')}`,
    };
  }
  const contentType = essence as AllowedContentType;
  if (content.length === 0) return { ok: false, message: 'is empty' };
  const expected = EXPECTED[contentType];
  const actual = sniff(content);
  if (actual !== expected.sniffed) {
    return { ok: false, message: `is declared as ${contentType} but its content is ${DESCRIBED[actual]}, not ${expected.name}` };
  }
  return { ok: true, contentType };
}
