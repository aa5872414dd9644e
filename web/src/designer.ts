// The designer's edits of a definition, as pure functions (unit-tested):
// add a state, connect two, rename, delete, and map validation diagnostics
// to the states they concern.

export type Definition = { StartAt?: string; States: Record<string, Record<string, unknown>>; [k: string]: unknown };

const TEMPLATES: Record<string, Record<string, unknown>> = {
  Pass: { Type: "Pass" },
  Task: { Type: "Task", Resource: "arn:aws:states:us-east-1:123456789012:activity:my-activity" },
  Choice: { Type: "Choice", Choices: [] },
  Wait: { Type: "Wait", Seconds: 5 },
  Succeed: { Type: "Succeed" },
  Fail: { Type: "Fail", Error: "Failed", Cause: "" },
  Parallel: { Type: "Parallel", Branches: [{ StartAt: "Branch", States: { Branch: { Type: "Pass", End: true } } }] },
  Map: { Type: "Map", ItemProcessor: { StartAt: "Item", States: { Item: { Type: "Pass", End: true } } } },
};
export const STATE_TYPES = Object.keys(TEMPLATES);

const clean = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

// A new state of `type`, named `<type><n>`; the first state is the start.
// It ends the machine until it is connected (terminal types need no End).
export function addState(def: Definition, type: string): { def: Definition; name: string } {
  let n = 1;
  while (def.States[`${type}${n}`]) n++;
  const name = `${type}${n}`;
  const state = clean({ ...TEMPLATES[type] });
  if (!["Choice", "Succeed", "Fail"].includes(type)) state.End = true;
  return { def: { ...def, StartAt: def.StartAt ?? name, States: { ...def.States, [name]: state } }, name };
}

// `source` goes on to `target`: Next for most states, Default for a Choice
// (its rules are edited in the form).
export function connect(def: Definition, source: string, target: string): Definition {
  const state = { ...def.States[source] };
  if (!state || source === target) return def;
  if (state.Type === "Choice") state.Default = target;
  else if (state.Type === "Succeed" || state.Type === "Fail") return def;
  else {
    state.Next = target;
    delete state.End;
  }
  return { ...def, States: { ...def.States, [source]: state } };
}

export function renameState(def: Definition, from: string, to: string): Definition {
  if (!to || from === to || def.States[to]) return def;
  const rename = (v: unknown): unknown => (v === from ? to : v);
  const States: Definition["States"] = {};
  for (const [name, state] of Object.entries(def.States)) {
    const s: Record<string, unknown> = { ...state, Next: rename(state.Next), Default: rename(state.Default) };
    if (Array.isArray(state.Choices)) s.Choices = state.Choices.map((c: Record<string, unknown>) => ({ ...c, Next: rename(c.Next) }));
    if (Array.isArray(state.Catch)) s.Catch = state.Catch.map((c: Record<string, unknown>) => ({ ...c, Next: rename(c.Next) }));
    States[name === from ? to : name] = clean(s);
  }
  return { ...def, StartAt: rename(def.StartAt) as string, States };
}

export function deleteState(def: Definition, name: string): Definition {
  const States = { ...def.States };
  delete States[name];
  for (const [n, s] of Object.entries(States)) {
    if (s.Next === name) { const c = { ...s }; delete c.Next; c.End = true; States[n] = c; }
  }
  const first = Object.keys(States)[0];
  return { ...def, StartAt: def.StartAt === name ? first : def.StartAt, States };
}

export interface Diagnostic { severity: string; code: string; message: string; location?: string }

// The top-level state a diagnostic's location names ("/States/Name/..."),
// or "" for the machine as a whole.
export function stateOf(d: Diagnostic): string {
  const m = (d.location ?? "").match(/^\/States\/([^/]+)/);
  return m ? m[1].replace(/~1/g, "/").replace(/~0/g, "~") : "";
}
