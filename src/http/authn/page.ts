// The page a person sees when a sign-in is refused: plain HTML from the server (no script, no JSON,
// no stack trace) saying what went wrong, what to do, and a reference for the administrator.
import type { FastifyReply } from 'fastify'
import { REFUSALS, type RefusalCode } from '../../sso/refusals.js'

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;background:#f6f7f9;color:#1d2330;margin:0;display:flex;min-height:100vh;align-items:center;justify-content:center}' +
  'main{background:#fff;border:1px solid #dde1e8;border-radius:12px;padding:2rem;max-width:34rem;margin:1rem}' +
  'h1{font-size:1.4rem;margin:0 0 .75rem}p{margin:.5rem 0}.muted{color:#5b6475;font-size:.875rem}' +
  'a.button{display:inline-block;margin-top:1rem;background:#3451b2;color:#fff;padding:.5rem 1rem;border-radius:6px;text-decoration:none}' +
  'code{background:#f0f2f5;padding:0 .25rem;border-radius:4px}'

export const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
}

export function refusalPage(code: RefusalCode, reference: string): string {
  const refusal = REFUSALS[code]
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(refusal.title)} · Muster</title><style>${STYLE}</style></head>
<body><main role="main"><h1>${escapeHtml(refusal.title)}</h1>
<p>${escapeHtml(refusal.message)}</p>
<p><strong>What to do:</strong> ${escapeHtml(refusal.advice)}</p>
<a class="button" href="/sign-in">Back to sign-in</a>
<p class="muted">Reference for your administrator: <code>${escapeHtml(code)}</code> · request <code>${escapeHtml(reference)}</code></p>
</main></body></html>`
}

export function sendRefusalPage(reply: FastifyReply, code: RefusalCode, reference: string) {
  return reply
    .code(REFUSALS[code].status)
    .headers(PAGE_HEADERS)
    .type('text/html; charset=utf-8')
    .send(refusalPage(code, reference))
}
