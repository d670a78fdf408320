#include "events.h"

#include <cstring>

namespace qaic {
namespace {

Napi::Object TimesToJs(Napi::Env env, const Times& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("received", t.received);
  o.Set("runStart", t.run_start);
  o.Set("runEnd", t.run_end);
  o.Set("posted", t.posted);
  return o;
}

void SetOrtCode(Napi::Object o, const Event& e) {
  if (e.ort_code && *e.ort_code >= 0) o.Set("ortCode", *e.ort_code);
}

}  // namespace

Napi::Object EventToJs(Napi::Env env, Event& e, bool copy_outputs) {
  Napi::Object o = Napi::Object::New(env);
  switch (e.type) {
    case Event::Type::kReady: {
      o.Set("type", "ready");
      o.Set("createStartNs", e.create_start_ns);
      o.Set("createMs", e.create_ms);
      if (e.pinned) {
        Napi::Array cpus = Napi::Array::New(env, e.pinned->size());
        for (uint32_t i = 0; i < e.pinned->size(); i++) cpus.Set(i, (*e.pinned)[i]);
        o.Set("pinned", cpus);
      }
      break;
    }
    case Event::Type::kLoadFailed:
      o.Set("type", "load-failed");
      o.Set("message", e.message.value_or(""));
      SetOrtCode(o, e);
      break;
    case Event::Type::kGraphLoading:
      o.Set("type", "graph-loading");
      o.Set("graph", e.graph);
      o.Set("file", e.file);
      break;
    case Event::Type::kGraphLoaded:
      o.Set("type", "graph-loaded");
      o.Set("graph", e.graph);
      if (e.message) o.Set("error", *e.message);
      break;
    case Event::Type::kResult: {
      o.Set("type", "result");
      o.Set("id", e.id);
      Napi::Object outputs = Napi::Object::New(env);
      for (auto& tensor : e.outputs) outputs.Set(tensor.name, OutputToJs(env, tensor, copy_outputs));
      o.Set("outputs", outputs);
      o.Set("times", TimesToJs(env, e.times));
      break;
    }
    case Event::Type::kRunFailed:
      o.Set("type", "run-failed");
      o.Set("id", e.id);
      o.Set("message", e.message.value_or(""));
      SetOrtCode(o, e);
      o.Set("canceled", e.canceled);
      o.Set("times", TimesToJs(env, e.times));
      break;
    case Event::Type::kBenchResult: {
      o.Set("type", "bench-result");
      o.Set("id", e.id);
      o.Set("count", e.count);
      o.Set("startNs", e.start_ns);
      o.Set("endNs", e.end_ns);
      Napi::Float64Array samples = Napi::Float64Array::New(env, e.samples.size());
      if (!e.samples.empty()) std::memcpy(samples.Data(), e.samples.data(), e.samples.size() * sizeof(double));
      o.Set("samplesNs", samples);
      o.Set("warmupNs", e.warmup_ns);
      if (e.message) o.Set("error", *e.message);
      break;
    }
    case Event::Type::kProfile: {
      o.Set("type", "profile");
      Napi::Array files = Napi::Array::New(env, e.files.size());
      for (uint32_t i = 0; i < e.files.size(); i++) {
        Napi::Object f = Napi::Object::New(env);
        f.Set("graph", e.files[i].graph);
        f.Set("file", e.files[i].file);
        f.Set("createStartNs", e.files[i].create_start_ns);
        files.Set(i, f);
      }
      o.Set("files", files);
      if (e.message) o.Set("error", *e.message);
      break;
    }
    case Event::Type::kPlacement: {
      o.Set("type", "placement");
      o.Set("id", e.id);
      if (e.message) {
        o.Set("error", *e.message);
        break;
      }
      o.Set("file", e.file);
      Napi::Object inputs = Napi::Object::New(env);
      for (const auto& [name, dims] : e.shapes) {
        Napi::Array shape = Napi::Array::New(env, dims.size());
        for (uint32_t i = 0; i < dims.size(); i++) shape.Set(i, static_cast<double>(dims[i]));
        inputs.Set(name, shape);
      }
      o.Set("inputs", inputs);
      break;
    }
    case Event::Type::kExit:
      o.Set("type", "exit");
      o.Set("code", e.exit_code);
      break;
  }
  return o;
}

}  // namespace qaic
