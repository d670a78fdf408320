// pinThread(cpus) and threadAffinity(): the calling JS thread's CPU affinity, for the worker engine's activations
// (lib/runtime/affinity.ts). They need no init() and no onnxruntime, so a worker thread can load the addon and pin
// itself with them; they replace the separate pinning addon.
#pragma once

#include <napi.h>

namespace qaic {

// pinThread(cpus: number[]): pin the calling thread to exactly these CPU indices. Throws an Error naming the bad
// element, or giving the OS's reason.
Napi::Value PinThreadJs(const Napi::CallbackInfo& info);

// threadAffinity(): number[]: the CPU indices the calling thread may run on.
Napi::Value ThreadAffinityJs(const Napi::CallbackInfo& info);

}  // namespace qaic
