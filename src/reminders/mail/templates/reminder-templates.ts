/**
 * The reminder email's nunjucks templates, kept as TypeScript string constants rather than
 * `.njk` files: tsc does not copy `.njk` files into dist/, and the Docker image ships only dist/
 * (no src/), so a file read at run time would be found by ts-jest but missing in `npm start`'s
 * compiled build or in the container. Compiled into the JavaScript, they are found everywhere.
 * They are served to nunjucks under the names below (see reminder-email.ts), so a template may
 * still `{% include %}` or `{% extends %}` another by name.
 *
 * Variables: see `ReminderView` in reminder-email.ts. The HTML one is rendered with
 * autoescape on: never mark a value `| safe`.
 */

export const REMINDER_TEXT_TEMPLATE = `Dear {{ recipientName }},

{{ sentence }}

Review: {{ reviewReference }}
People (pseudonyms): {{ pseudonymList }}
What: {{ what }}{% if kindLabel | lower != what | lower %} ({{ kindLabel }}){% endif %}

{{ whenLabel }}: {{ dueLong }}

{% if escalation %}
You are receiving this because it is overdue and you are responsible for seeing it through.

{% endif %}
Open it in the DHR engine:
{{ link }}

--
This email shows only the review's reference and pseudonyms. Do not reply with personal
details: open the link to see and update the record.
DHR engine
`;

export const REMINDER_HTML_TEMPLATE = `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ subject }}</title>
</head>
<body style="font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; color: #0b0c0c; margin: 0; padding: 16px;">
<p>Dear {{ recipientName }},</p>
<p style="font-size: 19px; font-weight: bold;{% if overdue %} color: #d4351c;{% endif %}">{{ sentence }}</p>
<table role="presentation" style="border-collapse: collapse; margin: 16px 0;">
<tr><th scope="row" style="text-align: left; padding: 4px 16px 4px 0;">Review</th><td style="padding: 4px 0;">{{ reviewReference }}</td></tr>
<tr><th scope="row" style="text-align: left; padding: 4px 16px 4px 0;">People (pseudonyms)</th><td style="padding: 4px 0;">{{ pseudonymList }}</td></tr>
<tr><th scope="row" style="text-align: left; padding: 4px 16px 4px 0;">What</th><td style="padding: 4px 0;">{{ what }}{% if kindLabel | lower != what | lower %} ({{ kindLabel }}){% endif %}</td></tr>
<tr><th scope="row" style="text-align: left; padding: 4px 16px 4px 0;">{{ whenLabel }}</th><td style="padding: 4px 0;">{{ dueLong }}</td></tr>
</table>
{% if escalation %}<p>You are receiving this because it is overdue and you are responsible for seeing it through.</p>
{% endif %}<p><a href="{{ link }}" style="color: #1d70b8;">Open it in the DHR engine</a></p>
<p style="font-size: 14px; color: #505a5f;">This email shows only the review's reference and pseudonyms. Do not reply with personal details: open the link to see and update the record.</p>
</body>
</html>
`;

/** Template names as nunjucks sees them. */
export const REMINDER_TEMPLATES: Readonly<Record<string, string>> = {
  'reminder.txt.njk': REMINDER_TEXT_TEMPLATE,
  'reminder.html.njk': REMINDER_HTML_TEMPLATE,
};
