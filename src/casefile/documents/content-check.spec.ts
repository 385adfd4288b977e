import { fixtures, MIME, zip } from '../../../test/support/document-fixtures';
import { ALLOWED_CONTENT_TYPES, checkContent, mediaTypeEssence, sniff } from './content-check';

describe('document content check (magic bytes)', () => {
  it.each([
    ['pdf', fixtures.pdf(), 'pdf'],
    ['png', fixtures.png(), 'png'],
    ['jpeg', fixtures.jpeg(), 'jpeg'],
    ['docx', fixtures.docx(), 'docx'],
    ['odt', fixtures.odt(), 'odt'],
    ['text', fixtures.text(), 'text'],
    ['exe', fixtures.exe(), 'binary'],
    ['plain zip', zip([['readme.txt', 'hello']]), 'zip'],
    ['other ODF (spreadsheet)', zip([['mimetype', 'application/vnd.oasis.opendocument.spreadsheet']]), 'zip'],
    ['xlsx (OOXML but not word)', zip([['[Content_Types].xml', '<Types/>'], ['xl/workbook.xml', '<workbook/>']]), 'zip'],
  ])('sniffs %s', (_, content, expected) => {
    expect(sniff(content)).toBe(expected);
  });

  it.each(Object.entries(MIME))('accepts a real %s declared as its type', (kind, type) => {
    const content = fixtures[kind as keyof typeof MIME]();
    expect(checkContent(type, content)).toEqual({ ok: true, contentType: type });
  });

  it('normalises the declared type (case, parameters)', () => {
    expect(mediaTypeEssence(' Text/Plain; charset=UTF-8')).toBe('text/plain');
    expect(checkContent('Application/PDF', fixtures.pdf())).toEqual({ ok: true, contentType: 'application/pdf' });
    expect(checkContent('text/plain; charset=utf-8', fixtures.text())).toEqual({ ok: true, contentType: 'text/plain' });
  });

  it.each([
    ['an executable renamed .pdf', MIME.pdf, fixtures.exe(), /declared as application\/pdf but its content is binary data/],
    ['a PNG declared as a PDF', MIME.pdf, fixtures.png(), /content is a PNG image, not a PDF/],
    ['a PDF declared as a JPEG', MIME.jpeg, fixtures.pdf(), /content is a PDF, not a JPEG image/],
    ['an .odt declared as .docx', MIME.docx, fixtures.odt(), /content is an OpenDocument text document/],
    ['a .docx declared as .odt', MIME.odt, fixtures.docx(), /content is a Word/],
    ['a plain zip declared as .docx', MIME.docx, zip([['a.txt', 'a']]), /zip archive/],
    ['a PDF declared as text', MIME.text, fixtures.pdf(), /content is a PDF, not plain text/],
    ['binary declared as text', MIME.text, fixtures.exe(), /content is binary data/],
    ['an empty file', MIME.pdf, Buffer.alloc(0), /is empty/],
  ])('refuses %s', (_, declared, content, message) => {
    const result = checkContent(declared, content);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toMatch(message);
  });

  it.each(['application/octet-stream', 'text/html', 'application/x-msdownload', 'image/svg+xml', '', undefined])(
    'refuses the type %p, listing what is allowed',
    (declared) => {
      const result = checkContent(declared, fixtures.pdf());
      expect(result.ok).toBe(false);
      expect(!result.ok && result.message).toContain(ALLOWED_CONTENT_TYPES.join(', '));
    },
  );
});
