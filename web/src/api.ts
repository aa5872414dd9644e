// The console speaks the same AWS JSON 1.0 API as every other client: a POST
// to / with X-Amz-Target, signed with SigV4 when a key was given (the
// server asks for one by answering a signature fault). An error is thrown
// with AWS's fault name and message, for the page to show.
import { savedKey, signHeaders } from "./sigv4";

// The faults that mean "sign with a (valid) key": the page asks for one.
export const KEY_FAULTS = ["MissingAuthenticationTokenException", "UnrecognizedClientException",
  "InvalidSignatureException", "IncompleteSignatureException"];

export class ApiError extends Error {
  constructor(public readonly fault: string, message: string) {
    super(`${fault}: ${message}`);
  }
}

async function call<T>(target: string, body: object, service: string): Promise<T> {
  const text0 = JSON.stringify(body);
  let headers: Record<string, string> = { "content-type": "application/x-amz-json-1.0", "x-amz-target": target };
  const key = savedKey();
  if (key) headers = { ...headers, ...(await signHeaders(key, service, "POST", window.location.host, "/", headers, text0)) };
  const response = await fetch("/", { method: "POST", headers, body: text0 });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const fault = String(parsed.__type ?? `HTTP ${response.status}`).split("#").pop() ?? "";
    if (KEY_FAULTS.includes(fault)) window.dispatchEvent(new CustomEvent("weft:need-key", { detail: fault }));
    throw new ApiError(fault, String(parsed.message ?? parsed.Message ?? text));
  }
  return parsed as T;
}

export const sfn = <T>(operation: string, body: object = {}) =>
  call<T>(`AWSStepFunctions.${operation}`, body, "states");
export const swf = <T>(operation: string, body: object = {}) =>
  call<T>(`SimpleWorkflowService.${operation}`, body, "swf");

export interface StateMachineListItem {
  stateMachineArn: string;
  name: string;
  type: string;
  creationDate: number;
}
export interface ExecutionListItem {
  executionArn: string;
  name: string;
  status: string;
  startDate: number;
  stopDate?: number;
}
