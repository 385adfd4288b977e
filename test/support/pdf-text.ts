import { execFile } from 'node:child_process';

/**
 * The text of a PDF, read with pdf-parse (pdf.js) in a child Node process: pdf.js loads its
 * worker with a dynamic import, which Jest's module system refuses.
 */
export function pdfText(pdf: Buffer): Promise<string> {
  const script = `
    const { PDFParse } = require('pdf-parse');
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', async () => {
      const parser = new PDFParse({ data: new Uint8Array(Buffer.concat(chunks)) });
      const result = await parser.getText();
      await parser.destroy();
      process.stdout.write(result.text);
    });`;
  return new Promise((resolve, reject) => {
    const child = execFile(process.execPath, ['-e', script], { cwd: __dirname, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) =>
      error ? reject(new Error(`pdf-parse: ${error.message} ${stderr}`)) : resolve(stdout),
    );
    child.stdin?.end(pdf);
  });
}
