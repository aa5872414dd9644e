import { describe, expect, it } from "vitest";
import { addState, connect, deleteState, renameState, stateOf, type Definition } from "./designer";

describe("designer edits", () => {
  it("builds a three-state machine", () => {
    let def: Definition = { States: {} };
    let r = addState(def, "Pass"); def = r.def;
    r = addState(def, "Wait"); def = r.def;
    r = addState(def, "Succeed"); def = r.def;
    expect(def.StartAt).toBe("Pass1");
    def = connect(def, "Pass1", "Wait1");
    def = connect(def, "Wait1", "Succeed1");
    expect(def.States.Pass1).toEqual({ Type: "Pass", Next: "Wait1" });
    expect(def.States.Wait1).toEqual({ Type: "Wait", Seconds: 5, Next: "Succeed1" });
    expect(def.States.Succeed1).toEqual({ Type: "Succeed" });
    expect(connect(def, "Succeed1", "Pass1")).toBe(def);  // a terminal state goes nowhere
  });
  it("renames a state everywhere it is named, and deletes one", () => {
    let def: Definition = { StartAt: "A", States: {
      A: { Type: "Choice", Choices: [{ Variable: "$.x", BooleanEquals: true, Next: "B" }], Default: "B" },
      B: { Type: "Pass", End: true } } };
    def = renameState(def, "B", "Done");
    expect(def.States.A.Default).toBe("Done");
    expect((def.States.A.Choices as { Next: string }[])[0].Next).toBe("Done");
    def = renameState(def, "A", "Start");
    expect(def.StartAt).toBe("Start");
    const after = deleteState({ StartAt: "X", States: { X: { Type: "Pass", Next: "Y" }, Y: { Type: "Pass", End: true } } }, "Y");
    expect(after.States).toEqual({ X: { Type: "Pass", End: true } });
  });
  it("finds the state of a diagnostic", () => {
    expect(stateOf({ severity: "ERROR", code: "X", message: "", location: "/States/Wait1/Seconds" })).toBe("Wait1");
    expect(stateOf({ severity: "ERROR", code: "X", message: "", location: "/StartAt" })).toBe("");
  });
});
