import { http, type Reply } from './http.js';

/** The signed form field of a dialog page. */
export const formOf = (page: Reply): string => /name="form" value="([^"]+)"/.exec(page.text)?.[1] ?? '';

/** Posts the dialog's form as the browser would, from bdfu's own page (Origin: bdfu's origin). */
export function answerDialog(baseUrl: string, user: string, form: string, fields: Record<string, string>, headers: Record<string, string> = { origin: new URL(baseUrl).origin }): Promise<Reply> {
  return http(`${baseUrl}oauth/${user}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ form, ...fields }).toString(),
  });
}

/** Opens the dialog with `query` and allows it with the password: the redirect back to the app. */
export async function allowInDialog(baseUrl: string, user: string, password: string, query: Record<string, string>): Promise<Reply> {
  const page = await http(`${baseUrl}oauth/${user}?${new URLSearchParams(query)}`);
  return answerDialog(baseUrl, user, formOf(page), { user, password, decision: 'allow' });
}
