// States in the JSONata query language (asl/interpreter.h). The steps are
// those of asl-notes.md, "JSONata": Arguments (Task, Parallel; a Map's
// Items and ItemSelector) before the work, then Output and Assign together,
// both reading $states.input, $states.result and the variables as they
// were before the state. A failed evaluation is a States.QueryEvaluationError
// that Retry and Catch see, announced by an EvaluationFailed event.

#include "asl/errors.h"
#include "asl/interpreter.h"

namespace weft::asl {

// JSONata's clock and randomness, from the execution: the time of the step
// that evaluates and the execution's own random sequence (saved with it),
// so that replay evaluates $now, $random and $uuid to the same values.
class ExecutionState::JsonataEnv final : public jsonata::Environment {
 public:
  explicit JsonataEnv(ExecutionState& e) : e_(e) {}
  int64_t NowMillis() override { return e_.now_; }
  double Random() override { return e_.NextRandom(); }

 private:
  ExecutionState& e_;
};

namespace {

const std::string& TextOf(const JsonataTemplate& t) {
  static const std::string kNone;
  const std::string* text = t.expression_text();
  return text ? *text : kNone;
}

// Everything one evaluation needs at frame `f`: the variables in scope, the
// context object when the state reads it, the environment.
struct JsonataCall {
  JsonataCall(jsonata::Environment& env, const std::map<int, Frame>& frames, const Frame& f,
              json::value context)
      : chain(frames, f), ctx(std::move(context)) {
    scope.input = &f.input;
    scope.context = ctx.is_null() ? nullptr : &ctx;
    scope.variables = chain.innermost();
    scope.environment = &env;
  }
  JsonataCall(const JsonataCall&) = delete;  // `scope` points into this object
  JsonataCall& operator=(const JsonataCall&) = delete;
  ScopeChain chain;
  json::value ctx;
  StatesScope scope;
};

}  // namespace

void ExecutionState::FailQuery(Frame& f, const State& s, const std::string& message,
                               const std::string& location, std::string_view state_failed_event,
                               bool catchable) {
  std::string cause = errors::StateCausePrefix(s.name, f.entered_event) + message;
  json::object d{{"error", kQueryEvaluationError}, {"cause", cause}};
  if (!location.empty()) d["location"] = location;
  d["state"] = s.name;
  // Recorded on AWS: before the state did anything, the event follows the
  // one before StateEntered (a Wait state's follows StateEntered itself).
  bool at_entry = f.prev_event == f.entered_event && s.type != StateType::kWait;
  Emit(&f, "EvaluationFailed", std::move(d), at_entry ? entered_prev_ : -1);
  if (!state_failed_event.empty()) Emit(&f, std::string(state_failed_event), {});
  if (catchable)
    FailState(f, std::string(kQueryEvaluationError), std::move(cause));
  else
    FinishFrame(f, false, nullptr, std::string(kQueryEvaluationError), std::move(cause));
}

std::optional<json::value> ExecutionState::EvalOrFail(Frame& f, const State& s,
                                                      const JsonataTemplate& t,
                                                      const StatesScope& scope,
                                                      std::string_view state_failed_event,
                                                      bool catchable) {
  std::string at;
  auto v = t.Evaluate(scope, &at);
  if (!v) {
    FailQuery(f, s, v.error().message(), at, state_failed_event, catchable);
    return std::nullopt;
  }
  return std::move(*v);
}

bool ExecutionState::CompleteJsonata(Frame& f, const State& s, json::value* result,
                                     const JsonataOutput* rule, int next) {
  JsonataEnv env(*this);
  JsonataCall call(env, frames_, f, s.needs_context ? Context(f, s) : json::value());
  call.scope.result = result;
  const JsonataOutput& own = s.jsonata->out;
  json::object assigned;
  bool any_assign = false;
  for (const JsonataOutput* o : {&own, rule}) {
    if (!o || !o->assign) continue;
    any_assign = true;
    auto a = EvalOrFail(f, s, *o->assign, call.scope);
    if (!a) return false;
    for (auto& kv : a->as_object()) assigned[kv.key()] = std::move(kv.value());
  }
  const std::optional<JsonataTemplate>& output_field =
      rule && rule->output ? rule->output : own.output;
  json::value output;
  if (output_field) {
    auto o = EvalOrFail(f, s, *output_field, call.scope);
    if (!o) return false;
    output = std::move(*o);
  } else if (result) {
    output = std::move(*result);
  } else {
    output = TakeInput(f, s);
  }
  return Exit(f, s, std::move(output), any_assign ? &assigned : nullptr, next);
}

bool ExecutionState::CatchJsonata(Frame& f, const State& s, const Catcher& c,
                                  const json::value& error_output, json::value& output,
                                  json::object& assigned) {
  JsonataEnv env(*this);
  JsonataCall call(env, frames_, f, s.needs_context ? Context(f, s) : json::value());
  call.scope.error_output = &error_output;
  // A failure here is the state's final one: its catchers are being run.
  auto eval = [&](const JsonataTemplate& t) {
    return EvalOrFail(f, s, t, call.scope, {}, /*catchable=*/false);
  };
  if (c.jsonata.assign) {
    auto a = eval(*c.jsonata.assign);
    if (!a) return false;
    assigned = std::move(a->as_object());
  }
  if (c.jsonata.output) {
    auto o = eval(*c.jsonata.output);
    if (!o) return false;
    output = std::move(*o);
  } else {
    output = error_output;
  }
  return true;
}

void ExecutionState::RunPassJsonata(Frame& f, const State& s) {
  CompleteJsonata(f, s, nullptr, nullptr, s.next_index);
}

void ExecutionState::RunChoiceJsonata(Frame& f, const State& s) {
  JsonataEnv env(*this);
  JsonataCall call(env, frames_, f, s.needs_context ? Context(f, s) : json::value());
  const ChoiceRule* matched = nullptr;
  for (const ChoiceRule& rule : s.choices) {
    auto c = EvalOrFail(f, s, *rule.condition, call.scope);
    if (!c) return;
    if (!c->is_bool())
      return FailQuery(f, s,
                       UnexpectedTypeCause(TextOf(*rule.condition), "Condition", "boolean", *c),
                       "Condition");
    if (c->as_bool()) {
      matched = &rule;
      break;
    }
  }
  int next = matched ? matched->next_index : s.default_index;
  if (next < 0) return FailState(f, std::string(errors::kNoChoiceMatched), "No Matches!");
  CompleteJsonata(f, s, nullptr, matched ? &matched->jsonata : nullptr, next);
}

void ExecutionState::RunWaitJsonata(Frame& f, const State& s) {
  const JsonataFields& j = *s.jsonata;
  int64_t fire_at = now_;
  if (s.seconds) {
    fire_at = now_ + *s.seconds * 1000;
  } else if (s.timestamp) {
    fire_at = ParseTimestamp(*s.timestamp).value_or(now_);
  } else if (j.seconds || j.timestamp) {
    JsonataEnv env(*this);
    JsonataCall call(env, frames_, f, s.needs_context ? Context(f, s) : json::value());
    const char* field = j.seconds ? "Seconds" : "Timestamp";
    auto v = EvalOrFail(f, s, j.seconds ? *j.seconds : *j.timestamp, call.scope);
    if (!v) return;
    if (j.seconds) {
      auto secs = WholeNumber(*v);
      if (!secs || *secs < 0 || *secs > kSchemaMaximum)
        return FailQuery(
            f, s,
            "The Seconds field must be a whole number of seconds from 0 to 99999999: " +
                Printable(*v),
            field);
      fire_at = now_ + *secs * 1000;
    } else {
      std::optional<int64_t> ts;
      if (v->is_string()) ts = ParseTimestamp(std::string_view(v->as_string()));
      if (!ts)
        return FailQuery(f, s,
                         "The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                         "date-time format string: " +
                             Printable(*v),
                         field);
      fire_at = *ts;
    }
  }
  f.wait = FrameWait::kTimer;
  NewTimer(f, fire_at, s.name);
}

void ExecutionState::RunFailJsonata(Frame& f, const State& s) {
  const JsonataFields& j = *s.jsonata;
  std::optional<std::string> error = s.error, cause = s.cause;
  if (j.error || j.cause) {
    JsonataEnv env(*this);
    JsonataCall call(env, frames_, f, s.needs_context ? Context(f, s) : json::value());
    for (auto [field, name, target] :
         {std::tuple{&j.error, "Error", &error}, std::tuple{&j.cause, "Cause", &cause}}) {
      if (!*field) continue;
      auto v = EvalOrFail(f, s, **field, call.scope);
      if (!v) return;
      if (!v->is_string())
        return FailQuery(f, s, UnexpectedTypeCause(TextOf(**field), name, "string", *v), name);
      *target = std::string(v->as_string());
    }
  }
  FinishFrame(f, false, nullptr, std::move(error), std::move(cause));
}

std::optional<ExecutionState::TaskRequest> ExecutionState::JsonataTaskRequest(Frame& f,
                                                                              const State& s) {
  const JsonataFields& j = *s.jsonata;
  JsonataEnv env(*this);
  JsonataCall call(env, frames_, f, s.needs_context ? Context(f, s) : json::value());
  TaskRequest r{json::value(), s.timeout_seconds.value_or(0), s.heartbeat_seconds.value_or(0)};
  if (j.arguments) {
    auto a = EvalOrFail(f, s, *j.arguments, call.scope);
    if (!a) return std::nullopt;
    r.input = std::move(*a);
  } else {
    r.input = f.input;
  }
  for (auto [field, name, target] :
       {std::tuple{&j.timeout_seconds, "TimeoutSeconds", &r.timeout},
        std::tuple{&j.heartbeat_seconds, "HeartbeatSeconds", &r.heartbeat}}) {
    if (!*field) continue;
    auto v = EvalOrFail(f, s, **field, call.scope);
    if (!v) return std::nullopt;
    auto n = WholeNumber(*v);
    if (!n || *n <= 0 || *n > kSchemaMaximum) {
      FailQuery(f, s,
                "The " + std::string(name) +
                    " field must be a whole number from 1 to 99999999: " + Printable(*v),
                name);
      return std::nullopt;
    }
    *target = *n;
  }
  return r;
}

std::optional<json::value> ExecutionState::JsonataParallelInput(Frame& f, const State& s) {
  const JsonataFields& j = *s.jsonata;
  if (!j.arguments) return f.input;
  JsonataEnv env(*this);
  JsonataCall call(env, frames_, f, s.needs_context ? Context(f, s) : json::value());
  return EvalOrFail(f, s, *j.arguments, call.scope, "ParallelStateFailed");
}

void ExecutionState::RunMapJsonata(Frame& f, const State& s) {
  const JsonataFields& j = *s.jsonata;
  JsonataEnv env(*this);
  JsonataCall call(env, frames_, f, s.needs_context ? Context(f, s) : json::value());
  constexpr std::string_view kFailed = "MapStateFailed";
  auto fail = [&](const std::string& message, const std::string& location) {
    FailQuery(f, s, message, location, kFailed);
  };
  // The items: Items, else the input itself.
  json::array items;
  if (j.items) {
    auto v = EvalOrFail(f, s, *j.items, call.scope, kFailed);
    if (!v) return;
    if (!v->is_array())
      return fail(UnexpectedTypeCause(TextOf(*j.items), "Items", "array", *v), "Items");
    items = std::move(v->as_array());
  } else if (!f.input.is_array()) {
    return fail("Map state input must be an array but was: " + ToJson(f.input), "");
  } else {
    items = f.input.as_array();
  }
  // The limits, each a literal or an expression.
  int64_t max_concurrency = s.max_concurrency,
          tolerated_count = s.tolerated_failure_count.value_or(-1);
  double tolerated_percentage = s.tolerated_failure_percentage.value_or(-1);
  for (auto [field, name, count] :
       {std::tuple{&j.max_concurrency, "MaxConcurrency", &max_concurrency},
        std::tuple{&j.tolerated_failure_count, "ToleratedFailureCount", &tolerated_count}}) {
    if (!*field) continue;
    auto v = EvalOrFail(f, s, **field, call.scope, kFailed);
    if (!v) return;
    auto n = WholeNumber(*v);
    if (!n || *n < 0 || *n > INT32_MAX)  // AWS reads them as Java ints
      return fail(std::string("The ") + name + " field must be a whole number from 0 to " +
                      std::to_string(INT32_MAX) + ": " + Printable(*v),
                  name);
    *count = *n;
  }
  if (j.tolerated_failure_percentage) {
    auto v = EvalOrFail(f, s, *j.tolerated_failure_percentage, call.scope, kFailed);
    if (!v) return;
    if (!v->is_number() || v->to_number<double>() < 0 || v->to_number<double>() > 100)
      return fail(
          "The ToleratedFailurePercentage field must be a number from 0 to 100: " + Printable(*v),
          "ToleratedFailurePercentage");
    tolerated_percentage = v->to_number<double>();
  }
  // Each item's input: ItemSelector, with $states.context.Map.Item.
  json::array inputs;
  if (!j.item_selector) {
    inputs = std::move(items);
  } else {
    inputs.reserve(items.size());
    const bool reads_context = j.item_selector->reads_context();
    for (size_t i = 0; i < items.size(); ++i) {
      json::value item_ctx =
          reads_context ? Context(f, s, &items[i], static_cast<int64_t>(i)) : json::value();
      StatesScope item_scope = call.scope;
      item_scope.context = reads_context ? &item_ctx : nullptr;
      auto v = EvalOrFail(f, s, *j.item_selector, item_scope, kFailed);
      if (!v) return;
      inputs.push_back(std::move(*v));
    }
  }
  Emit(&f, "MapStateStarted", json::object{{"length", static_cast<int64_t>(inputs.size())}});
  f.fan().max_concurrency = max_concurrency;
  f.fan().tolerated_count = tolerated_count;
  f.fan().tolerated_percentage = tolerated_percentage;
  StartIterations(f, s, std::move(inputs));
}

}  // namespace weft::asl
