// The console speaks the same AWS JSON 1.0 API as every other client: a POST
// to / with X-Amz-Target. An error is thrown with AWS's fault name and
// message, for the page to show.

export class ApiError extends Error {
  constructor(public readonly fault: string, message: string) {
    super(`${fault}: ${message}`);
  }
}

async function call<T>(target: string, body: object): Promise<T> {
  const response = await fetch("/", {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": target },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const parsed = text ? JSON.parse(text) : {};
  if (!response.ok) {
    const fault = String(parsed.__type ?? `HTTP ${response.status}`).split("#").pop() ?? "";
    throw new ApiError(fault, String(parsed.message ?? parsed.Message ?? text));
  }
  return parsed as T;
}

export const sfn = <T>(operation: string, body: object = {}) =>
  call<T>(`AWSStepFunctions.${operation}`, body);
export const swf = <T>(operation: string, body: object = {}) =>
  call<T>(`SimpleWorkflowService.${operation}`, body);

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
