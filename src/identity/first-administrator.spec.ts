import { generatedPasswordNotice } from './first-administrator';

describe('generatedPasswordNotice', () => {
  it('names the email and password once, says it will not be shown again, and how to change it', () => {
    const notice = generatedPasswordNotice('admin@localhost', 'Xq3-generated-password_9');
    expect(notice.split('Xq3-generated-password_9')).toHaveLength(2);
    expect(notice).toContain('email:     admin@localhost');
    expect(notice).toContain('will not be shown again');
    expect(notice).toContain('npm run cli -- users:add --email admin@localhost --password');
    // Plain text lines, none of which a JSON log reader would take for a log line.
    for (const line of notice.split('\n')) expect(line.startsWith('{')).toBe(false);
  });
});
