import { describe, expect, it } from "vitest";
import { amzDate, signHeaders } from "./sigv4";

describe("signHeaders", () => {
  it("gives AWS's worked example's signature", async () => {
    // The key of AWS's worked example ("Create a signed AWS API request");
    // the expected signature was computed by the independent signer of
    // tests/integration/test_auth.py for the same request.
    const key = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", region: "us-east-1" };
    const when = new Date(Date.UTC(2015, 7, 30, 12, 36, 0));
    expect(amzDate(when)).toBe("20150830T123600Z");
    const signed = await signHeaders(key, "states", "POST", "127.0.0.1:7070", "/",
      { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AWSStepFunctions.ListActivities" }, "{}", when);
    expect(signed["x-amz-date"]).toBe("20150830T123600Z");
    expect(signed.authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/states/aws4_request, " +
      "SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
      "Signature=7eab581c09d29f0e54a680292efef1400a92dbd85df9e1bb0f9c13229ebb7446");
  });
});
