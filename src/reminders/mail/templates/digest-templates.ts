/**
 * The daily digest's nunjucks templates, kept as TypeScript string constants for the same
 * reason as reminder-templates.ts (tsc does not copy `.njk` files into dist/).
 *
 * Variables: see `DigestView` in digest-email.ts. The HTML one is rendered with autoescape on:
 * never mark a value `| safe`.
 */

export const DIGEST_TEXT_TEMPLATE = `Dear {{ recipientName }},

Your daily digest of DHR deadline reminders for {{ dateLong }}: {{ countLabel }}.

{% for item in items %}
{{ loop.index }}. {{ item.reviewReference }}: {{ item.what }}{% if item.kindLabel | lower != item.what | lower %} ({{ item.kindLabel }}){% endif %}

   People (pseudonyms): {{ item.pseudonymList }}
   {{ item.whenLabel }}: {{ item.dueLong }} ({{ item.position }})
   Reminders: {{ item.reminderList }}
   Open it: {{ item.link }}

{% endfor %}
Escalations of overdue work still come to you at once, not in this digest.

--
This email shows only the reviews' references and pseudonyms. Do not reply with personal
details: open the links to see and update the records.
DHR engine
`;

export const DIGEST_HTML_TEMPLATE = `<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ subject }}</title>
</head>
<body style="font-family: Arial, Helvetica, sans-serif; font-size: 16px; line-height: 1.5; color: #0b0c0c; margin: 0; padding: 16px;">
<p>Dear {{ recipientName }},</p>
<p>Your daily digest of DHR deadline reminders for {{ dateLong }}: {{ countLabel }}.</p>
<ol style="padding-left: 24px;">
{% for item in items %}
<li style="margin-bottom: 16px;">
<p style="font-size: 19px; font-weight: bold; margin: 0;{% if item.overdue %} color: #d4351c;{% endif %}">{{ item.reviewReference }}: {{ item.what }}</p>
<table role="presentation" style="border-collapse: collapse; margin: 4px 0;">
{% if item.kindLabel | lower != item.what | lower %}<tr><th scope="row" style="text-align: left; padding: 2px 16px 2px 0;">What</th><td style="padding: 2px 0;">{{ item.kindLabel }}</td></tr>
{% endif %}<tr><th scope="row" style="text-align: left; padding: 2px 16px 2px 0;">People (pseudonyms)</th><td style="padding: 2px 0;">{{ item.pseudonymList }}</td></tr>
<tr><th scope="row" style="text-align: left; padding: 2px 16px 2px 0;">{{ item.whenLabel }}</th><td style="padding: 2px 0;">{{ item.dueLong }} ({{ item.position }})</td></tr>
<tr><th scope="row" style="text-align: left; padding: 2px 16px 2px 0;">Reminders</th><td style="padding: 2px 0;">{{ item.reminderList }}</td></tr>
</table>
<p style="margin: 4px 0;"><a href="{{ item.link }}" style="color: #1d70b8;">Open it in the DHR engine</a></p>
</li>
{% endfor %}
</ol>
<p>Escalations of overdue work still come to you at once, not in this digest.</p>
<p style="font-size: 14px; color: #505a5f;">This email shows only the reviews' references and pseudonyms. Do not reply with personal details: open the links to see and update the records.</p>
</body>
</html>
`;

/** Template names as nunjucks sees them. */
export const DIGEST_TEMPLATES: Readonly<Record<string, string>> = {
  'digest.txt.njk': DIGEST_TEXT_TEMPLATE,
  'digest.html.njk': DIGEST_HTML_TEMPLATE,
};
