// A body upload with progress events (fetch reports none): XMLHttpRequest with the session's
// bearer token, and the same one-refresh-one-retry on a 401 as the API client.
import { getAccessToken, refreshSession, sessionExpired } from "../api/session";
import { ApiError } from "./errors";

export interface UploadProgress {
  loaded: number;
  total: number;
}

/** Percent of an upload done, 0–100 (0 while the size is unknown). */
export function percentOf(progress: UploadProgress | null): number {
  if (!progress || progress.total <= 0) return 0;
  return Math.min(100, Math.round((progress.loaded / progress.total) * 100));
}

interface Sent {
  status: number;
  body: unknown;
}

function send(
  url: string,
  body: Blob,
  contentType: string,
  onProgress: (progress: UploadProgress) => void,
): Promise<Sent> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Content-Type", contentType);
    const token = getAccessToken();
    if (token) xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) =>
      onProgress({ loaded: event.loaded, total: event.lengthComputable ? event.total : 0 });
    xhr.onload = () => {
      let parsed: unknown = null;
      try {
        parsed = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        parsed = null;
      }
      resolve({ status: xhr.status, body: parsed });
    };
    xhr.onerror = () => reject(new Error("The upload failed: check the connection and retry."));
    xhr.send(body);
  });
}

/** POSTs `body` to `url`, reporting progress; answers the parsed JSON or throws `ApiError`. */
export async function uploadWithProgress<T>(
  url: string,
  body: Blob,
  contentType: string,
  onProgress: (progress: UploadProgress) => void,
): Promise<T> {
  let sent = await send(url, body, contentType, onProgress);
  if (sent.status === 401 && getAccessToken()) {
    if (await refreshSession()) sent = await send(url, body, contentType, onProgress);
    else sessionExpired();
  }
  if (sent.status < 200 || sent.status >= 300) throw new ApiError(sent.status, sent.body);
  return sent.body as T;
}
