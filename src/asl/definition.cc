// Parsing a definition into the compiled model (asl/definition.h). Every
// field is checked here (types, ranges, allowed fields per state type) and
// every problem is recorded with its location; graph checks are in
// validate.cc.
#include "asl/definition.h"

#include <algorithm>
#include <array>
#include <set>

#include "asl/definition_fields.h"

namespace weft::asl {

std::string_view StateTypeName(StateType t) {
  switch (t) {
    case StateType::kTask:
      return "Task";
    case StateType::kPass:
      return "Pass";
    case StateType::kChoice:
      return "Choice";
    case StateType::kWait:
      return "Wait";
    case StateType::kSucceed:
      return "Succeed";
    case StateType::kFail:
      return "Fail";
    case StateType::kParallel:
      return "Parallel";
    case StateType::kMap:
      return "Map";
  }
  return "?";
}

const State* Block::Find(std::string_view name) const {
  auto it = index.find(std::string(name));
  return it == index.end() ? nullptr : &states[it->second];
}

Result<json::value> ValueExpr::Evaluate(const EvalScope& scope) const {
  if (const auto* p = std::get_if<Path>(&expr)) return p->Evaluate(scope);
  return std::get<Intrinsic>(expr).Evaluate(scope);
}

namespace {

std::optional<StateType> ParseStateType(std::string_view s) {
  static const std::pair<std::string_view, StateType> kTypes[] = {
      {"Task", StateType::kTask},         {"Pass", StateType::kPass},
      {"Choice", StateType::kChoice},     {"Wait", StateType::kWait},
      {"Succeed", StateType::kSucceed},   {"Fail", StateType::kFail},
      {"Parallel", StateType::kParallel}, {"Map", StateType::kMap},
  };
  for (const auto& [name, type] : kTypes)
    if (s == name) return type;
  return std::nullopt;
}

using FieldSet = std::set<std::string_view>;

// The fields each state type accepts, in StateType order (Task, Pass,
// Choice, Wait, Succeed, Fail, Parallel, Map), per query language.
const FieldSet& AllowedFields(StateType t, bool jsonata) {
  static const std::array<FieldSet, 8> kJsonPath = {{
      {"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "Parameters", "ResultSelector",
       "ResultPath", "Assign", "Resource", "TimeoutSeconds", "TimeoutSecondsPath",
       "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", "Retry", "Catch",
       "QueryLanguage"},
      {"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "Parameters", "Result",
       "ResultPath", "Assign", "QueryLanguage"},
      {"Type", "Comment", "InputPath", "OutputPath", "Choices", "Default", "Assign",
       "QueryLanguage"},
      {"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "Seconds", "Timestamp",
       "SecondsPath", "TimestampPath", "Assign", "QueryLanguage"},
      {"Type", "Comment", "InputPath", "OutputPath", "QueryLanguage"},
      {"Type", "Comment", "Error", "Cause", "ErrorPath", "CausePath", "QueryLanguage"},
      {"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "Parameters", "ResultSelector",
       "ResultPath", "Assign", "Branches", "Retry", "Catch", "QueryLanguage"},
      {"Type",
       "Comment",
       "Next",
       "End",
       "InputPath",
       "OutputPath",
       "Parameters",
       "ItemSelector",
       "ResultSelector",
       "ResultPath",
       "Assign",
       "Iterator",
       "ItemProcessor",
       "ItemsPath",
       "MaxConcurrency",
       "MaxConcurrencyPath",
       "ToleratedFailurePercentage",
       "ToleratedFailurePercentagePath",
       "ToleratedFailureCount",
       "ToleratedFailureCountPath",
       "ItemReader",
       "ItemBatcher",
       "ResultWriter",
       "Label",
       "Retry",
       "Catch",
       "QueryLanguage"},
  }};
  static const std::array<FieldSet, 8> kJsonata = {{
      {"Type", "Comment", "Next", "End", "QueryLanguage", "Output", "Assign", "Resource",
       "Arguments", "Retry", "Catch", "TimeoutSeconds", "Credentials", "HeartbeatSeconds"},
      {"Type", "Comment", "Next", "End", "Output", "Assign", "QueryLanguage"},
      {"Type", "Comment", "Choices", "Default", "Output", "Assign", "QueryLanguage"},
      {"Type", "Comment", "Next", "End", "Output", "Assign", "Seconds", "Timestamp",
       "QueryLanguage"},
      {"Type", "Comment", "Output", "QueryLanguage"},
      {"Type", "Comment", "Error", "Cause", "QueryLanguage"},
      {"Type", "Comment", "Next", "End", "Output", "Assign", "Arguments", "Branches", "Retry",
       "Catch", "QueryLanguage"},
      {"Type",
       "Comment",
       "Next",
       "End",
       "Output",
       "Assign",
       "Items",
       "ItemSelector",
       "Iterator",
       "ItemProcessor",
       "MaxConcurrency",
       "ToleratedFailurePercentage",
       "ToleratedFailureCount",
       "ItemReader",
       "ItemBatcher",
       "ResultWriter",
       "Label",
       "Retry",
       "Catch",
       "QueryLanguage"},
  }};
  return (jsonata ? kJsonata : kJsonPath)[static_cast<size_t>(t)];
}

// Whether a JSONata state reads $states.context anywhere.
bool JsonataReadsContext(const State& st) {
  auto reads = [](const std::optional<JsonataTemplate>& t) { return t && t->reads_context(); };
  const JsonataFields& j = *st.jsonata;
  for (const auto* t :
       {&j.out.output, &j.out.assign, &j.arguments, &j.items, &j.credentials, &j.seconds,
        &j.timestamp, &j.timeout_seconds, &j.heartbeat_seconds, &j.max_concurrency,
        &j.tolerated_failure_count, &j.tolerated_failure_percentage, &j.error, &j.cause})
    if (reads(*t)) return true;
  for (const ChoiceRule& r : st.choices)
    if (reads(r.condition) || reads(r.jsonata.output) || reads(r.jsonata.assign)) return true;
  for (const Catcher& c : st.catchers)
    if (reads(c.jsonata.output) || reads(c.jsonata.assign)) return true;
  return false;
}

bool MentionsContext(const json::value& v) {
  switch (v.kind()) {
    case json::kind::string:
      return std::string_view(v.as_string()).find("$$") != std::string_view::npos;
    case json::kind::array:
      return std::any_of(v.as_array().begin(), v.as_array().end(), MentionsContext);
    case json::kind::object:
      for (const auto& kv : v.as_object())
        if (MentionsContext(kv.value())) return true;
      return false;
    default:
      return false;
  }
}

class DefinitionParser {
 public:
  DefinitionParser(StateMachine& m, std::vector<Diagnostic>& diags) : m_(m), f_(diags) {}

  // Parses {StartAt, States} at `loc` into a new block; returns its id.
  int ParseBlock(const json::object& o, const std::string& loc, bool top_level) {
    int id = static_cast<int>(m_.blocks.size());
    m_.blocks.push_back(std::make_unique<Block>());
    m_.blocks.back()->id = id;
    m_.blocks.back()->location = loc;
    std::set<std::string_view> allowed = {"StartAt", "States", "Comment"};
    if (top_level)
      allowed.insert({"Version", "TimeoutSeconds", "QueryLanguage"});
    else
      allowed.insert("ProcessorConfig");
    f_.CheckAllowed(o, loc, allowed, "here");
    if (auto s = f_.String(o, "StartAt", loc, true)) m_.blocks[id]->start_at = *s;
    if (top_level) {
      f_.String(o, "Comment", loc, false);
      f_.String(o, "Version", loc, false);
      if (auto t = f_.Integer(o, "TimeoutSeconds", loc, 1, kSchemaMaximum)) m_.timeout_seconds = *t;
      jsonata_default_ = CheckQueryLanguage(o, loc).value_or(false);
    }
    const json::value* states = Find(o, "States");
    if (!states) {
      f_.Add(loc, "States is required");
      return id;
    }
    if (!states->is_object() || states->as_object().empty()) {
      f_.Add(loc + "/States", "States must be an object with at least one state");
      return id;
    }
    for (const auto& kv : states->as_object()) {
      State st;
      st.name = std::string(kv.key());
      st.location = loc + "/States/" + EscapePointer(st.name);
      if (st.name.empty() || st.name.size() > 80)
        f_.Add(st.location, "a state name must be 1 to 80 characters long");
      ParseState(kv.value(), st);
      Block& b = *m_.blocks[id];
      st.index = static_cast<int>(b.states.size());
      b.index.emplace(st.name, st.index);
      b.states.push_back(std::move(st));
    }
    return id;
  }

 private:
  // Whether QueryLanguage (if present) names JSONata.
  std::optional<bool> CheckQueryLanguage(const json::object& o, const std::string& loc) {
    auto q = f_.String(o, "QueryLanguage", loc, false);
    if (!q) return std::nullopt;
    if (*q == "JSONata") return true;
    if (*q == "JSONPath") return false;
    f_.Add(loc + "/QueryLanguage", "QueryLanguage must be \"JSONPath\" or \"JSONata\"");
    return std::nullopt;
  }

  // The state's query language: its own QueryLanguage, else the top level's.
  bool UsesJsonata(const json::object& o, const std::string& loc) {
    auto own = CheckQueryLanguage(o, loc);
    if (own && !*own && jsonata_default_)
      f_.Add(loc + "/QueryLanguage",
             "a state cannot use JSONPath in a state machine whose QueryLanguage is JSONata "
             "(set JSONPath at the top and JSONata on the states that use it)");
    return own.value_or(jsonata_default_);
  }

  void ParseState(const json::value& v, State& st) {
    const std::string& loc = st.location;
    if (!v.is_object()) {
      f_.Add(loc, "a state must be an object");
      return;
    }
    const auto& o = v.as_object();
    auto type_name = f_.String(o, "Type", loc, true);
    if (!type_name) return;
    auto type = ParseStateType(*type_name);
    if (!type) {
      f_.Add(loc + "/Type", "unknown state type \"" + *type_name +
                                "\" (expected Task, Pass, Choice, Wait, Succeed, Fail, Parallel "
                                "or Map)");
      return;
    }
    st.type = *type;
    st.type_known = true;
    bool jsonata = UsesJsonata(o, loc);
    const auto& allowed = AllowedFields(st.type, jsonata);
    f_.CheckAllowed(o, loc, f_.CheckLanguageFields(o, loc, jsonata, allowed),
                    "in a " + std::string(StateTypeName(st.type)) + " state");
    f_.String(o, "Comment", loc, false);
    ParseTransition(o, st);
    if (jsonata) {
      ParseJsonataState(o, st);
      st.needs_context = JsonataReadsContext(st);
      return;
    }
    st.needs_context = MentionsContext(v);
    if (st.type != StateType::kFail) {
      st.input_path = f_.IoPathField(o, "InputPath", loc);
      st.output_path = f_.IoPathField(o, "OutputPath", loc);
    }
    if (auto t = f_.TemplateField(o, "Assign", loc, true)) st.assign = std::move(*t);
    switch (st.type) {
      case StateType::kTask:
        ParseTask(o, st);
        break;
      case StateType::kPass:
        ParsePass(o, st);
        break;
      case StateType::kChoice:
        ParseChoice(o, st);
        break;
      case StateType::kWait:
        ParseWait(o, st);
        break;
      case StateType::kSucceed:
        break;
      case StateType::kFail:
        ParseFail(o, st);
        break;
      case StateType::kParallel:
        ParseParallel(o, st);
        break;
      case StateType::kMap:
        ParseMap(o, st);
        break;
    }
  }

  void ParseTransition(const json::object& o, State& st) {
    const std::string& loc = st.location;
    bool terminal_type = st.type == StateType::kChoice || st.type == StateType::kSucceed ||
                         st.type == StateType::kFail;
    if (terminal_type) return;  // CheckAllowed already rejected Next/End
    auto next = f_.String(o, "Next", loc, false);
    const json::value* end = Find(o, "End");
    if (end && !(end->is_bool() && end->as_bool()))
      f_.Add(loc + "/End", "End must be true when present (use Next to continue)");
    st.end = end && end->is_bool() && end->as_bool();
    if (next) st.next = *next;
    if (next && end) f_.Add(loc, "a state cannot have both Next and End");
    if (!next && !end) f_.Add(loc, "the state needs Next or \"End\": true");
  }

  void ParseResultFields(const json::object& o, State& st, bool with_parameters) {
    const std::string& loc = st.location;
    if (with_parameters)
      if (auto t = f_.TemplateField(o, "Parameters", loc, false)) st.parameters = std::move(*t);
    if (auto t = f_.TemplateField(o, "ResultSelector", loc, true))
      st.result_selector = std::move(*t);
    st.result_path = f_.ResultPathField(o, "ResultPath", loc);
  }

  void ParseResource(const json::object& o, State& st) {
    const std::string& loc = st.location;
    if (auto r = f_.String(o, "Resource", loc, true)) {
      st.resource = *r;
      if (r->rfind("arn:", 0) != 0)
        f_.Add(loc + "/Resource", "Resource must be an ARN (arn:aws:...), got \"" + *r + "\"");
    }
  }

  // Both literal: the heartbeat must be shorter.
  void CheckHeartbeat(const State& st) {
    if (st.timeout_seconds && st.heartbeat_seconds && *st.heartbeat_seconds >= *st.timeout_seconds)
      f_.Add(st.location + "/HeartbeatSeconds",
             "HeartbeatSeconds must be smaller than TimeoutSeconds");
  }

  void ParseTask(const json::object& o, State& st) {
    const std::string& loc = st.location;
    ParseResource(o, st);
    ParseResultFields(o, st, true);
    st.timeout_seconds = f_.Integer(o, "TimeoutSeconds", loc, 1, kSchemaMaximum);
    st.heartbeat_seconds = f_.Integer(o, "HeartbeatSeconds", loc, 1, kSchemaMaximum);
    st.timeout_seconds_path = f_.PathField(o, "TimeoutSecondsPath", loc, true);
    st.heartbeat_seconds_path = f_.PathField(o, "HeartbeatSecondsPath", loc, true);
    f_.Exclusive(o, loc, {"TimeoutSeconds", "TimeoutSecondsPath"});
    f_.Exclusive(o, loc, {"HeartbeatSeconds", "HeartbeatSecondsPath"});
    CheckHeartbeat(st);
    if (auto t = f_.TemplateField(o, "Credentials", loc, true)) st.credentials = std::move(*t);
    ParseRetryCatch(o, st);
  }

  void ParsePass(const json::object& o, State& st) {
    ParseResultFields(o, st, true);
    if (const json::value* r = Find(o, "Result")) st.result = *r;
  }

  void ParseChoice(const json::object& o, State& st) {
    ParseChoices(o, st, [&](const json::value& v, const std::string& loc) {
      auto rule = CompileChoiceRule(v, loc, true, f_.diags());
      if (!rule) {
        // Keep the target so that graph checks see it (the machine is not
        // produced anyway: there is a diagnostic).
        rule.emplace();
        if (v.is_object())
          if (auto* n = FindString(v.as_object(), "Next")) rule->next = std::string(*n);
      }
      return std::move(*rule);
    });
  }

  // Choices (each rule by `parse_rule`) and Default, in both languages.
  template <class ParseRule>
  void ParseChoices(const json::object& o, State& st, ParseRule parse_rule) {
    const std::string& loc = st.location;
    const json::value* choices = Find(o, "Choices");
    if (!choices) {
      f_.Add(loc, "a Choice state needs Choices");
    } else if (!choices->is_array() || choices->as_array().empty()) {
      f_.Add(loc + "/Choices", "Choices must be a non-empty array of choice rules");
    } else {
      const auto& arr = choices->as_array();
      for (size_t i = 0; i < arr.size(); ++i)
        st.choices.push_back(parse_rule(arr[i], loc + "/Choices/" + std::to_string(i)));
    }
    if (auto d = f_.String(o, "Default", loc, false)) st.default_next = *d;
  }

  void ParseWait(const json::object& o, State& st) {
    const std::string& loc = st.location;
    int count = 0;
    for (auto key : {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"})
      count += Find(o, key) ? 1 : 0;
    if (count != 1)
      f_.Add(loc,
             "a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath");
    st.seconds = f_.Integer(o, "Seconds", loc, 0, kSchemaMaximum);
    if (auto ts = f_.String(o, "Timestamp", loc, false)) {
      if (!ParseTimestamp(*ts))
        f_.Add(loc + "/Timestamp",
               "Timestamp must be an RFC 3339 timestamp such as "
               "\"2016-03-14T01:59:00Z\", got \"" +
                   *ts + "\"");
      st.timestamp = *ts;
    }
    st.seconds_path = f_.PathField(o, "SecondsPath", loc, true);
    st.timestamp_path = f_.PathField(o, "TimestampPath", loc, true);
  }

  void ParseFail(const json::object& o, State& st) {
    const std::string& loc = st.location;
    st.error = f_.String(o, "Error", loc, false);
    st.cause = f_.String(o, "Cause", loc, false);
    st.error_path = f_.ValueExprField(o, "ErrorPath", loc);
    st.cause_path = f_.ValueExprField(o, "CausePath", loc);
    f_.Exclusive(o, loc, {"Error", "ErrorPath"});
    f_.Exclusive(o, loc, {"Cause", "CausePath"});
  }

  void ParseParallel(const json::object& o, State& st) {
    ParseResultFields(o, st, true);
    ParseRetryCatch(o, st);
    ParseBranches(o, st);
  }

  void ParseBranches(const json::object& o, State& st) {
    const std::string& loc = st.location;
    const json::value* branches = Find(o, "Branches");
    if (!branches) {
      f_.Add(loc, "a Parallel state needs Branches");
    } else if (!branches->is_array() || branches->as_array().empty()) {
      f_.Add(loc + "/Branches", "Branches must be a non-empty array of {StartAt, States}");
    } else {
      const auto& arr = branches->as_array();
      for (size_t i = 0; i < arr.size(); ++i) {
        std::string bloc = loc + "/Branches/" + std::to_string(i);
        if (!arr[i].is_object()) {
          f_.Add(bloc, "a branch must be an object with StartAt and States");
          continue;
        }
        st.branches.push_back(ParseBlock(arr[i].as_object(), bloc, false));
      }
    }
  }

  void ParseMap(const json::object& o, State& st) {
    const std::string& loc = st.location;
    ParseResultFields(o, st, false);
    ParseRetryCatch(o, st);
    f_.Exclusive(o, loc, {"ItemSelector", "Parameters"});
    auto sel = f_.TemplateField(o, "ItemSelector", loc, false);
    if (!sel) sel = f_.TemplateField(o, "Parameters", loc, false);
    if (sel) st.parameters = std::move(*sel);
    st.items_path = f_.PathField(o, "ItemsPath", loc, true);
    if (auto mc = f_.Integer(o, "MaxConcurrency", loc, 0)) st.max_concurrency = *mc;
    st.max_concurrency_path = f_.PathField(o, "MaxConcurrencyPath", loc, true);
    f_.Exclusive(o, loc, {"MaxConcurrency", "MaxConcurrencyPath"});
    st.tolerated_failure_count = f_.Integer(o, "ToleratedFailureCount", loc, 0);
    st.tolerated_failure_count_path = f_.PathField(o, "ToleratedFailureCountPath", loc, true);
    f_.Exclusive(o, loc, {"ToleratedFailureCount", "ToleratedFailureCountPath"});
    if (const json::value* p = Find(o, "ToleratedFailurePercentage")) {
      if (!p->is_number() || p->to_number<double>() < 0 || p->to_number<double>() > 100)
        f_.Add(loc + "/ToleratedFailurePercentage",
               "ToleratedFailurePercentage must be a number from 0 to 100");
      else
        st.tolerated_failure_percentage = p->to_number<double>();
    }
    st.tolerated_failure_percentage_path =
        f_.PathField(o, "ToleratedFailurePercentagePath", loc, true);
    f_.Exclusive(o, loc, {"ToleratedFailurePercentage", "ToleratedFailurePercentagePath"});
    ParseItemProcessor(o, st);
  }

  // What both query languages' Map states share: Label, the refused S3
  // fields and the item processor.
  void ParseItemProcessor(const json::object& o, State& st) {
    const std::string& loc = st.location;
    if (auto l = f_.String(o, "Label", loc, false)) st.label = *l;
    if (Find(o, "ItemReader"))
      f_.Add(loc + "/ItemReader", "ItemReader (reading items from S3) is not supported by weft");
    if (Find(o, "ResultWriter"))
      f_.Add(loc + "/ResultWriter",
             "ResultWriter (writing results to S3) is not supported by weft");
    if (Find(o, "ItemBatcher"))
      f_.Add(loc + "/ItemBatcher", "ItemBatcher is not supported by weft");
    f_.Exclusive(o, loc, {"ItemProcessor", "Iterator"});
    const char* key = Find(o, "ItemProcessor") ? "ItemProcessor" : "Iterator";
    const json::value* proc = Find(o, key);
    if (!proc) {
      f_.Add(loc, "a Map state needs ItemProcessor (or the older Iterator)");
      return;
    }
    std::string ploc = loc + "/" + key;
    if (!proc->is_object()) {
      f_.Add(ploc, std::string(key) + " must be an object with StartAt and States");
      return;
    }
    if (const json::object* cfg = FindObject(proc->as_object(), "ProcessorConfig")) {
      f_.CheckAllowed(*cfg, ploc + "/ProcessorConfig", {"Mode", "ExecutionType"}, "here");
      if (auto mode = f_.String(*cfg, "Mode", ploc + "/ProcessorConfig", false)) {
        if (*mode == "DISTRIBUTED")
          st.distributed = true;
        else if (*mode != "INLINE")
          f_.Add(ploc + "/ProcessorConfig/Mode", "Mode must be INLINE or DISTRIBUTED");
      }
    }
    st.processor = ParseBlock(proc->as_object(), ploc, false);
  }

  void ParseRetryCatch(const json::object& o, State& st) {
    const std::string& loc = st.location;
    if (const json::value* r = Find(o, "Retry")) {
      if (!r->is_array()) {
        f_.Add(loc + "/Retry", "Retry must be an array of retriers");
      } else {
        const auto& arr = r->as_array();
        for (size_t i = 0; i < arr.size(); ++i) {
          std::string rloc = loc + "/Retry/" + std::to_string(i);
          if (auto retrier = f_.RetrierField(arr[i], rloc, i + 1 == arr.size()))
            st.retry.push_back(std::move(*retrier));
        }
      }
    }
    if (const json::value* c = Find(o, "Catch")) {
      if (!c->is_array()) {
        f_.Add(loc + "/Catch", "Catch must be an array of catchers");
      } else {
        const auto& arr = c->as_array();
        for (size_t i = 0; i < arr.size(); ++i) {
          std::string cloc = loc + "/Catch/" + std::to_string(i);
          if (auto catcher =
                  f_.CatcherField(arr[i], cloc, i + 1 == arr.size(), st.jsonata.has_value()))
            st.catchers.push_back(std::move(*catcher));
        }
      }
    }
  }

  // ---- JSONata states ----

  void ParseJsonataState(const json::object& o, State& st) {
    const std::string& loc = st.location;
    JsonataFields& j = st.jsonata.emplace();
    if (st.type != StateType::kFail) j.out.output = f_.JsonataField(o, "Output", loc, false);
    j.out.assign = f_.JsonataField(o, "Assign", loc, true);
    switch (st.type) {
      case StateType::kTask:
        ParseJsonataTask(o, st);
        break;
      case StateType::kChoice:
        ParseJsonataChoice(o, st);
        break;
      case StateType::kWait:
        ParseJsonataWait(o, st);
        break;
      case StateType::kFail:
        f_.StringOrExpression(o, "Error", loc, st.error, j.error);
        f_.StringOrExpression(o, "Cause", loc, st.cause, j.cause);
        break;
      case StateType::kParallel:
        j.arguments = f_.JsonataField(o, "Arguments", loc, false);
        ParseRetryCatch(o, st);
        ParseBranches(o, st);
        break;
      case StateType::kMap:
        ParseJsonataMap(o, st);
        break;
      case StateType::kPass:
      case StateType::kSucceed:
        break;
    }
  }

  void ParseJsonataTask(const json::object& o, State& st) {
    const std::string& loc = st.location;
    JsonataFields& j = *st.jsonata;
    ParseResource(o, st);
    j.arguments = f_.JsonataField(o, "Arguments", loc, false);
    j.credentials = f_.JsonataField(o, "Credentials", loc, true);
    f_.IntegerOrExpression(o, "TimeoutSeconds", loc, 1, kSchemaMaximum, st.timeout_seconds,
                           j.timeout_seconds);
    f_.IntegerOrExpression(o, "HeartbeatSeconds", loc, 1, kSchemaMaximum, st.heartbeat_seconds,
                           j.heartbeat_seconds);
    CheckHeartbeat(st);
    ParseRetryCatch(o, st);
  }

  void ParseJsonataChoice(const json::object& o, State& st) {
    ParseChoices(o, st, [&](const json::value& v, const std::string& loc) {
      return ParseJsonataRule(v, loc);
    });
  }

  // {Condition, Next, Output, Assign, Comment}: Condition is a boolean or
  // an expression that must give one.
  ChoiceRule ParseJsonataRule(const json::value& v, const std::string& loc) {
    ChoiceRule rule;
    if (!v.is_object()) {
      f_.Add(loc, "a choice rule must be an object with Condition and Next");
      return rule;
    }
    const auto& o = v.as_object();
    f_.CheckAllowed(
        o, loc,
        f_.CheckLanguageFields(o, loc, true, {"Condition", "Next", "Output", "Assign", "Comment"}),
        "in a JSONata choice rule (it has Condition instead of Variable and the "
        "comparison operators)");
    if (auto n = f_.String(o, "Next", loc, true)) rule.next = *n;
    const json::value* condition = Find(o, "Condition");
    if (!condition) {
      f_.Add(loc, "a JSONata choice rule needs Condition");
    } else if (!condition->is_bool() &&
               !(condition->is_string() && IsJsonataExpression(condition->as_string()))) {
      f_.Add(loc + "/Condition",
             "Condition must be true, false or a JSONata expression \"{% ... %}\"");
    } else {
      rule.condition = f_.JsonataField(o, "Condition", loc, false);
    }
    rule.jsonata.output = f_.JsonataField(o, "Output", loc, false);
    rule.jsonata.assign = f_.JsonataField(o, "Assign", loc, true);
    return rule;
  }

  void ParseJsonataWait(const json::object& o, State& st) {
    const std::string& loc = st.location;
    JsonataFields& j = *st.jsonata;
    if ((Find(o, "Seconds") ? 1 : 0) + (Find(o, "Timestamp") ? 1 : 0) != 1)
      f_.Add(loc, "a Wait state needs exactly one of Seconds and Timestamp");
    f_.IntegerOrExpression(o, "Seconds", loc, 0, kSchemaMaximum, st.seconds, j.seconds);
    f_.StringOrExpression(o, "Timestamp", loc, st.timestamp, j.timestamp);
    if (st.timestamp && !ParseTimestamp(*st.timestamp))
      f_.Add(loc + "/Timestamp",
             "Timestamp must be an RFC 3339 timestamp such as \"2016-03-14T01:59:00Z\", got \"" +
                 *st.timestamp + "\"");
  }

  void ParseJsonataMap(const json::object& o, State& st) {
    const std::string& loc = st.location;
    JsonataFields& j = *st.jsonata;
    ParseRetryCatch(o, st);
    j.item_selector = f_.JsonataField(o, "ItemSelector", loc, false);
    j.items = f_.JsonataField(o, "Items", loc, false);
    if (const json::value* items = Find(o, "Items");
        items && !items->is_array() &&
        !(items->is_string() && IsJsonataExpression(items->as_string())))
      f_.Add(loc + "/Items", "Items must be an array or a JSONata expression \"{% ... %}\"");
    std::optional<int64_t> max_concurrency;
    f_.IntegerOrExpression(o, "MaxConcurrency", loc, 0, INT64_MAX, max_concurrency,
                           j.max_concurrency);
    st.max_concurrency = max_concurrency.value_or(0);
    f_.IntegerOrExpression(o, "ToleratedFailureCount", loc, 0, INT64_MAX,
                           st.tolerated_failure_count, j.tolerated_failure_count);
    if (const json::value* p = Find(o, "ToleratedFailurePercentage")) {
      if (p->is_string() && IsJsonataExpression(p->as_string())) {
        j.tolerated_failure_percentage =
            f_.JsonataField(o, "ToleratedFailurePercentage", loc, false);
      } else if (!p->is_number() || p->to_number<double>() < 0 || p->to_number<double>() > 100) {
        f_.Add(loc + "/ToleratedFailurePercentage",
               "ToleratedFailurePercentage must be a number from 0 to 100 or a JSONata "
               "expression");
      } else {
        st.tolerated_failure_percentage = p->to_number<double>();
      }
    }
    ParseItemProcessor(o, st);
  }

  StateMachine& m_;
  FieldReader f_;
  bool jsonata_default_ = false;  // the top level's QueryLanguage is JSONata
};

}  // namespace

void ParseDefinition(const json::value& definition, StateMachine& machine,
                     std::vector<Diagnostic>& diags) {
  machine.definition = definition;
  if (!definition.is_object()) {
    diags.push_back({"", "a state machine definition must be a JSON object"});
    return;
  }
  DefinitionParser parser(machine, diags);
  parser.ParseBlock(definition.as_object(), "", true);
}

}  // namespace weft::asl
