// The page's JSON API calls (same origin; the session cookie goes along, the browser adds Origin).
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(path, body) {
  const init = body === undefined
    ? { credentials: 'same-origin', headers: { accept: 'application/json' } }
    : { method: 'POST', credentials: 'same-origin', headers: { 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(body) };
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'NETWORK', 'the daemon cannot be reached');
  }
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new ApiError(res.status, json.code ?? `HTTP_${res.status}`, json.message ?? res.statusText);
  return json;
}
